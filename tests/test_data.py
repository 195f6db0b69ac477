import numpy as np
import pytest

from lstm_poem.text.corpus import CorpusError
from lstm_poem.training.data import (
    POEM_BREAK,
    covered_tokens,
    make_dataset,
    make_training_dataset,
    min_tokens,
    split_parts,
    split_poems,
    split_stream,
    training_windows_per_epoch,
    windows,
)


def test_heldout_tail_never_overlaps_training_windows():
    ids = np.arange(1000, dtype=np.int32)  # each id is its own position in the stream
    split = split_stream(ids, seq_len=30, val_fraction=0.1)
    assert len(split.heldout) == 100 and split.boundary == 900
    train_inputs, train_targets = windows(split.train, 30)
    seen = set(train_inputs.ravel()) | set(train_targets.ravel())
    assert max(seen) < split.boundary
    assert not seen & set(split.heldout)


def test_every_position_is_a_target():
    ids = np.arange(101, dtype=np.int32)
    inputs, targets = windows(ids, 10)
    assert inputs.shape == targets.shape == (10, 10)
    np.testing.assert_array_equal(targets, inputs + 1)
    np.testing.assert_array_equal(covered_tokens(ids, 10), np.arange(1, 101))


def test_short_stream_gives_one_short_window():
    inputs, targets = windows(np.arange(5, dtype=np.int32), 10)
    assert inputs.tolist() == [[0, 1, 2, 3]] and targets.tolist() == [[1, 2, 3, 4]]


def test_too_short_for_the_window_is_a_clear_error():
    with pytest.raises(CorpusError, match="too short"):
        split_stream(np.arange(50), seq_len=100, val_fraction=0.1)


@pytest.mark.parametrize("seq_len, fraction", [(10, 0.1), (100, 0.5), (7, 0.01)])
def test_min_tokens_is_exactly_enough(seq_len, fraction):
    n = min_tokens(seq_len, fraction)
    split = split_stream(np.arange(n), seq_len, fraction)
    assert len(split.train) >= seq_len + 1 and len(split.heldout) >= seq_len + 1


def test_heldout_dataset_is_in_order():
    ids = np.arange(101, dtype=np.int32)
    batches = [x.numpy() for x, _ in make_dataset(ids, 10, 4)]
    assert np.concatenate(batches)[:, 0].tolist() == list(range(0, 100, 10))


def _epoch_starts(dataset):
    return [[int(row[0]) for x, _ in dataset for row in x.numpy()] for _ in range(4)]


def test_training_windows_shift_every_epoch_reproducibly():
    ids = np.arange(1000, dtype=np.int32)
    epochs = _epoch_starts(make_training_dataset(ids, 10, 16, seed=3))
    assert epochs == _epoch_starts(make_training_dataset(ids, 10, 16, seed=3))
    count = training_windows_per_epoch(ids, 10)
    for starts in epochs:
        assert len(starts) == count == 99
        assert starts != sorted(starts)  # shuffled
        assert len({s % 10 for s in starts}) == 1  # one offset per epoch
        assert max(starts) + 10 < len(ids)  # every window, target included, inside the stream
    assert len({starts[0] % 10 for starts in epochs}) > 1  # the offset moves between epochs
    for x, y in make_training_dataset(ids, 10, 16, seed=3):
        np.testing.assert_array_equal(y.numpy(), x.numpy() + 1)


def test_training_dataset_of_a_short_stream():
    ids = np.arange(15, dtype=np.int32)
    ((x, y),) = list(make_training_dataset(ids, 10, 16, seed=0))
    assert x.numpy().tolist() == [list(range(10))]


def _poems(count: int) -> str:
    return "\n\n\n".join(f"Poem {i} begins here\nand poem {i} ends here" for i in range(count)) + "\n"


def test_split_poems_holds_out_every_tenth_poem_whole():
    train_text, heldout_text = split_poems(_poems(30), 0.1)
    held = heldout_text.strip("\n").split(POEM_BREAK)
    kept = train_text.strip("\n").split(POEM_BREAK)
    assert [p.split()[1] for p in held] == ["9", "19", "29"]  # spread over the collection, not its tail
    assert len(kept) == 27 and not set(kept) & set(held)
    assert all(p.startswith("Poem") and p.endswith("here") for p in held + kept)  # no poem cut in two


def test_split_poems_needs_enough_poems():
    with pytest.raises(CorpusError, match="at least 10 poems"):
        split_poems(_poems(9), 0.1)


def test_split_parts_refuses_a_part_shorter_than_a_window():
    with pytest.raises(CorpusError, match="held-out part is too short"):
        split_parts(np.arange(100), np.arange(5), seq_len=10)


def test_endless_training_dataset_keeps_cutting_fresh_passes():
    ids = np.arange(1000, dtype=np.int32)
    batches = list(make_training_dataset(ids, 10, 16, seed=3, endless=True).take(30))  # nearly 5 passes of 99
    assert all(x.shape == (16, 10) for x, _ in batches)  # whole batches only
    starts = [int(row[0]) for x, _ in batches for row in x.numpy()]
    assert len({s % 10 for s in starts}) > 1  # several offsets: several passes
    for x, y in batches:
        np.testing.assert_array_equal(y.numpy(), x.numpy() + 1)

import numpy as np
import pytest

from lstm_poem.corpus import CorpusError
from lstm_poem.data import covered_tokens, make_dataset, min_tokens, split_stream, windows


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


def test_dataset_batches_and_shuffles_reproducibly():
    ids = np.arange(641, dtype=np.int32)
    first = [x.numpy()[:, 0].tolist() for x, _ in make_dataset(ids, 10, 16, shuffle_seed=3)]
    again = [x.numpy()[:, 0].tolist() for x, _ in make_dataset(ids, 10, 16, shuffle_seed=3)]
    assert first == again
    assert sorted(sum(first, [])) == list(range(0, 640, 10))
    assert sum(first, []) != list(range(0, 640, 10))

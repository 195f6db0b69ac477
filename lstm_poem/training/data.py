"""Turn a token stream into training and held-out windows.

By default the last ``val_fraction`` of the stream is held out. A collection of
poems in some sorted order (by poet, by title) would then hold out only its last
poets, so :func:`split_poems` can instead hold out every k-th poem. Either way
training windows are cut only from the training part, so the held-out loss
measures text the model has never been trained on. Every position of every
window is a target: the input is ``tokens[i : i + seq_len]`` and the target is
the same span shifted by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_poem.text.corpus import CorpusError

# Collections of poems (the shared verse corpus, the sample corpora) separate poems by two blank lines.
POEM_BREAK = "\n\n\n"


@dataclass(frozen=True)
class Split:
    """The token stream cut into a training head and a held-out tail."""

    train: np.ndarray
    heldout: np.ndarray

    @property
    def boundary(self) -> int:
        """Index in the full stream where the held-out tail begins."""
        return len(self.train)


def split_stream(ids: np.ndarray, seq_len: int, val_fraction: float) -> Split:
    """Hold out the last ``val_fraction`` of ``ids``; raise :class:`CorpusError` if too short."""
    ids = np.asarray(ids, dtype=np.int32)
    needed = min_tokens(seq_len, val_fraction)
    if len(ids) < needed:
        raise CorpusError(
            f"The text is too short: it has {len(ids):,} tokens, and a window of {seq_len} "
            f"with {val_fraction:.0%} held out needs at least {needed:,}. "
            "Use a longer text or a shorter window."
        )
    boundary = heldout_start(len(ids), seq_len, val_fraction)
    return Split(train=ids[:boundary], heldout=ids[boundary:])


def split_poems(text: str, val_fraction: float) -> tuple[str, str]:
    """Split a text of poems separated by two blank lines into (training, held-out) texts.

    Every k-th poem is held out, k = round(1 / val_fraction), so the held-out
    poems are spread over the whole collection; the rest are trained on. Both
    parts keep the two-blank-line separator. Raises :class:`CorpusError` when
    there are too few poems to hold any out.
    """
    poems = [poem.strip("\n") for poem in text.split(POEM_BREAK) if poem.strip()]
    step = max(2, round(1 / val_fraction))
    if len(poems) < step:
        raise CorpusError(
            f"Holding out whole poems needs at least {step} poems separated by two blank lines; "
            f"this text has {len(poems)}. Hold out the end of the text instead."
        )
    held = [poem for i, poem in enumerate(poems) if i % step == step - 1]
    kept = [poem for i, poem in enumerate(poems) if i % step != step - 1]
    return POEM_BREAK.join(kept) + "\n", POEM_BREAK.join(held) + "\n"


def split_parts(train_ids: np.ndarray, heldout_ids: np.ndarray, seq_len: int) -> Split:
    """A :class:`Split` of two separately encoded parts; raise :class:`CorpusError` if either is too short."""
    for part, ids in (("training", train_ids), ("held-out", heldout_ids)):
        if len(ids) < seq_len + 1:
            raise CorpusError(
                f"The {part} part is too short: it has {len(ids):,} tokens and a window of {seq_len} "
                f"needs at least {seq_len + 1:,}. Use a longer text or a shorter window."
            )
    return Split(train=np.asarray(train_ids, dtype=np.int32), heldout=np.asarray(heldout_ids, dtype=np.int32))


def heldout_start(n_tokens: int, seq_len: int, val_fraction: float) -> int:
    """Index of the first held-out token of a stream of ``n_tokens`` (at least one full window is held out)."""
    return max(0, n_tokens - max(seq_len + 1, int(round(n_tokens * val_fraction))))


def min_tokens(seq_len: int, val_fraction: float) -> int:
    """Shortest stream that leaves one full window both for training and for the held-out tail."""
    window = seq_len + 1
    return max(2 * window, int(np.ceil(window / (1.0 - val_fraction))))


def windows(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping (input, target) windows covering ``ids``; a ragged tail is dropped.

    A stream shorter than one full window gives a single shorter window, so even
    a tiny text can be evaluated.
    """
    ids = np.asarray(ids, dtype=np.int32)
    count = (len(ids) - 1) // seq_len
    if count == 0:
        return ids[None, :-1], ids[None, 1:]
    span = count * seq_len
    inputs = ids[:span].reshape(count, seq_len)
    targets = ids[1 : span + 1].reshape(count, seq_len)
    return inputs, targets


def covered_tokens(ids: np.ndarray, seq_len: int) -> np.ndarray:
    """The target tokens that :func:`windows` scores (for counting characters)."""
    return windows(ids, seq_len)[1].reshape(-1)


def make_dataset(ids: np.ndarray, seq_len: int, batch_size: int):
    """Fixed (input, target) batches in stream order: the held-out set."""
    import tensorflow as tf

    inputs, targets = windows(ids, seq_len)
    return tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(batch_size).prefetch(2)


def training_windows_per_epoch(ids: np.ndarray, seq_len: int) -> int:
    """Windows in one training epoch: as many as fit after the largest random offset."""
    return max(1, (len(ids) - seq_len) // seq_len)


def make_training_dataset(ids: np.ndarray, seq_len: int, batch_size: int, seed: int, endless: bool = False):
    """Shuffled (input, target) batches whose window boundaries move every epoch.

    Each pass cuts the stream at a fresh random offset, so the model does not
    see the same few hundred windows (each starting from a blank state at the
    same place) over and over; on a small corpus that delays overfitting. The
    offsets and the shuffling are drawn from ``seed``, so runs are reproducible.

    ``endless`` gives one pass after another without end, for training in
    "epochs" of a fixed number of batches (``steps_per_epoch``) on a text too
    big to pass over between two looks at the held-out loss.
    """
    import tensorflow as tf

    stream = tf.constant(np.asarray(ids, dtype=np.int32))
    count = training_windows_per_epoch(ids, seq_len)
    if len(ids) < 2 * seq_len + 1:  # too short to shift: one fixed window
        fixed = make_dataset(ids, seq_len, batch_size)
        return fixed.repeat() if endless else fixed

    def cut(random_value):
        offset = tf.cast(random_value % seq_len, tf.int32)
        starts = offset + tf.range(count, dtype=tf.int32) * seq_len
        positions = starts[:, None] + tf.range(seq_len + 1, dtype=tf.int32)[None, :]
        chunk = tf.gather(stream, positions)
        return tf.data.Dataset.from_tensor_slices((chunk[:, :-1], chunk[:, 1:]))

    if endless:
        passes = tf.data.Dataset.random(seed=seed)
        return passes.flat_map(cut).shuffle(count, seed=seed).batch(batch_size, drop_remainder=True).prefetch(2)
    offsets = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    batches = -(-count // batch_size)
    return (
        offsets.flat_map(cut)
        .shuffle(count, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .apply(tf.data.experimental.assert_cardinality(batches))  # so Keras knows how long an epoch is
        .prefetch(2)
    )

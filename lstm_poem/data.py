"""Turn a token stream into training and held-out windows.

The last ``val_fraction`` of the stream is held out. Training windows are cut
only from the part before it, so the held-out loss measures text the model has
never been trained on. Every position of every window is a target: the input is
``tokens[i : i + seq_len]`` and the target is the same span shifted by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_poem.corpus import CorpusError


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


def make_training_dataset(ids: np.ndarray, seq_len: int, batch_size: int, seed: int):
    """Shuffled (input, target) batches whose window boundaries move every epoch.

    Each epoch cuts the stream at a fresh random offset, so the model does not
    see the same few hundred windows (each starting from a blank state at the
    same place) over and over; on a small corpus that delays overfitting. The
    offsets and the shuffling are drawn from ``seed``, so runs are reproducible.
    """
    import tensorflow as tf

    stream = tf.constant(np.asarray(ids, dtype=np.int32))
    count = training_windows_per_epoch(ids, seq_len)
    if len(ids) < 2 * seq_len + 1:  # too short to shift: one fixed window
        return make_dataset(ids, seq_len, batch_size)

    def cut(random_value):
        offset = tf.cast(random_value % seq_len, tf.int32)
        starts = offset + tf.range(count, dtype=tf.int32) * seq_len
        positions = starts[:, None] + tf.range(seq_len + 1, dtype=tf.int32)[None, :]
        chunk = tf.gather(stream, positions)
        return tf.data.Dataset.from_tensor_slices((chunk[:, :-1], chunk[:, 1:]))

    offsets = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    batches = -(-count // batch_size)
    return (
        offsets.flat_map(cut)
        .shuffle(count, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .apply(tf.data.experimental.assert_cardinality(batches))  # so Keras knows how long an epoch is
        .prefetch(2)
    )

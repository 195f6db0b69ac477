"""The classic notebook's network, for comparison: one-hot windows of 40 characters taken every third
character, an LSTM of 128 units and one next character per window.

The benchmark times it against the engine, and the improvements table ships it as
its first row, turned into an engine model (:func:`as_engine_network`) so that every
page can load it, score it and write with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lstm_poem.network.model import ModelConfig, build_model

if TYPE_CHECKING:
    import keras

SEQ_LEN = 40  # the notebook's window
STEP = 3  # the notebook's stride between training windows
UNITS = 128


def one_hot(ids: np.ndarray, vocab: int) -> np.ndarray:
    """float32 one-hot encoding of an integer array (adds a last axis of size ``vocab``)."""
    return np.eye(vocab, dtype=np.float32)[ids]


def classic_windows(ids: np.ndarray, vocab: int, step: int = STEP) -> tuple[np.ndarray, np.ndarray]:
    """(one-hot windows of SEQ_LEN tokens, the token after each), a window starting every ``step`` tokens."""
    windows = np.lib.stride_tricks.sliding_window_view(ids, SEQ_LEN)[:-1:step]
    return one_hot(windows, vocab), ids[SEQ_LEN::step]


def classic_network(vocab: int) -> keras.Model:
    """The notebook's network: one-hot windows of SEQ_LEN characters -> LSTM(128) -> one next character."""
    import keras

    model = keras.Sequential([keras.Input((SEQ_LEN, vocab)), keras.layers.LSTM(UNITS), keras.layers.Dense(vocab)])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def as_engine_network(classic: keras.Model, vocab: int) -> tuple[ModelConfig, keras.Model]:
    """The same network as an engine model: one-hot rows times the LSTM's input kernel are the kernel's
    rows, so an identity embedding in front of the trained weights computes exactly what it did."""
    config = ModelConfig(level="char", cell="lstm", layers=1, units=UNITS, embedding=vocab, dropout=0.0)
    network = build_model(config, vocab)
    network.set_weights([np.eye(vocab, dtype=np.float32), *classic.get_weights()])
    return config, network

"""The Keras callback that turns training into the plain records of ``records.py``.

Kept apart from ``train.py`` because it must import Keras at module level (it
subclasses a Keras class), and the app imports ``train.py`` without wanting
TensorFlow loaded yet. ``train.py`` imports this module, never the reverse.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import keras

from lstm_poem.network.model import PoemModel, build_model
from lstm_poem.training.records import SAMPLE_TEMPERATURE, BatchRecord, EpochRecord, ProgressRecord
from lstm_poem.training.train_config import TrainConfig


class ProgressCallback(keras.callbacks.Callback):
    """Reports every batch and epoch; stops training on request or at the time limit.

    Listed after EarlyStopping so that at each epoch end it reads the state
    EarlyStopping has just updated (best loss, best epoch, patience used).
    """

    def __init__(
        self,
        early_stopping: keras.callbacks.EarlyStopping,
        config: TrainConfig,
        windows: int,
        on_progress: Callable[[ProgressRecord], None],
        stop_event: threading.Event,
        sample_prime: str,
        poem: PoemModel,
        start: float,
    ):
        super().__init__()
        self.early_stopping = early_stopping
        self.config = config
        self.windows = windows
        self.batches = -(-windows // config.batch_size)
        self.on_progress = on_progress
        self.stop_event = stop_event
        self.sample_prime = sample_prime
        self.poem = poem
        self.generator = None
        self._float32_twin = None  # what the samples come from while the network computes in bfloat16
        self.history: list[EpochRecord] = []
        self.tokens_seen = 0
        self.out_of_time = False
        self.start = start  # perf_counter() when train() began, so setup time counts too
        self._epoch = 0
        self._running_mean = 0.0

    def _should_stop(self) -> bool:
        limit = self.config.time_limit
        if limit is not None and time.perf_counter() - self.start >= limit:
            self.out_of_time = True
        return self.out_of_time or self.stop_event.is_set()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1
        self._running_mean = 0.0

    def on_train_batch_end(self, batch, logs=None):
        # Keras reports the running mean over the epoch; recover this batch's own loss.
        count = batch + 1
        mean = float(logs["loss"])
        batch_loss = count * mean - (count - 1) * self._running_mean
        self._running_mean = mean
        batch_windows = min(self.config.batch_size, self.windows - batch * self.config.batch_size)
        self.tokens_seen += batch_windows * self.config.seq_len
        self.on_progress(
            BatchRecord(
                epoch=self._epoch,
                batch=count,
                batches=self.batches,
                loss=batch_loss,
                elapsed=time.perf_counter() - self.start,
            )
        )
        if self._should_stop():
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        es = self.early_stopping
        seed, written = self._sample()
        record = EpochRecord(
            epoch=epoch + 1,
            loss=float(logs["loss"]),
            val_loss=float(logs["val_loss"]),
            best_val_loss=float(es.best),
            best_epoch=es.best_epoch + 1,
            epochs_without_improvement=int(es.wait),
            patience=self.config.patience,
            learning_rate=float(self.model.optimizer.learning_rate),
            elapsed=time.perf_counter() - self.start,
            sample=seed + written,
            sample_seed_chars=len(seed),
        )
        self.history.append(record)
        self.on_progress(record)
        if self._should_stop():
            self.model.stop_training = True

    def _sample(self) -> tuple[str, str]:
        """The seed and a short continuation, so a class can watch noise turn into verse. Cool (the
        copied share is charted from it) but not greedy (greedy text soon loops on one phrase), and
        seeded, so reruns write the same."""
        if self.config.sample_length == 0:
            return "", ""
        from lstm_poem.network.generate import Generator

        if self.generator is None:
            poem = self.poem
            if poem.network.get_layer("embedding").compute_dtype != "float32":
                # The generator carries float32 state; a bfloat16 network gets a float32 twin (weights copied
                # each epoch, a few milliseconds), which is also what the finished run hands back.
                self._float32_twin = build_model(poem.config, poem.tokenizer.vocab_size)
                poem = PoemModel(network=self._float32_twin, tokenizer=poem.tokenizer, config=poem.config)
            self.generator = Generator(poem)
        if self._float32_twin is not None:
            self._float32_twin.set_weights(self.poem.network.get_weights())
        generation = self.generator.generate(
            self.sample_prime, [SAMPLE_TEMPERATURE], self.config.sample_length, seed=self.config.seed
        )
        return generation.prime, generation.samples[0].text

"""The Keras callbacks that watch a training (early stopping, the learning rate, progress) and the
:class:`~lstm_poem.training.result.TrainResult` read from them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lstm_poem.network.model import PoemModel
from lstm_poem.training.data import Split, covered_tokens, training_windows_per_epoch
from lstm_poem.training.records import ProgressRecord
from lstm_poem.training.result import TrainResult
from lstm_poem.training.train_config import TrainConfig
from lstm_poem.units import bits_per_char

if TYPE_CHECKING:  # both import Keras, which is imported only when a training starts
    import keras

    from lstm_poem.training.progress import ProgressCallback


def first_line(text: str, max_chars: int = 60) -> str:
    """The first complete non-empty line of ``text`` (with its newline), for priming samples.

    ``text`` is the held-out tail, which usually starts mid-line, so the part
    before the first newline is skipped when there is more to choose from.
    """
    _, _, rest = text.partition("\n")
    for line in (rest if rest.strip() else text).split("\n"):
        if line.strip():
            return line[:max_chars] + "\n"
    return "\n"


@dataclass
class TrainingCallbacks:
    """The Keras callbacks that watch one training, and what its result is read from: at the end, or in
    a checkpoint's bundle after each epoch."""

    poem: PoemModel
    config: TrainConfig
    early_stopping: keras.callbacks.EarlyStopping
    reduce_lr: keras.callbacks.ReduceLROnPlateau | None
    progress: ProgressCallback
    stop_event: threading.Event
    scored_tokens: int  # held-out tokens that are targets, and the characters they spell
    scored_chars: int
    notes: list[str]
    precision: str
    started: float  # time.perf_counter() when train() was called

    @classmethod
    def start(
        cls,
        poem: PoemModel,
        split: Split,
        config: TrainConfig,
        on_progress: Callable[[ProgressRecord], None] | None,
        stop_event: threading.Event,
        start: float,
        notes: list[str],
        precision: str,
    ) -> TrainingCallbacks:
        import keras

        from lstm_poem.training.progress import ProgressCallback

        early_stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss",
            patience=config.patience,
            min_delta=config.min_delta,
            restore_best_weights=config.keep_weights == "best",
        )
        reduce_lr = None
        if config.lr_patience and config.decay_to is None:  # a cosine decay sets the rate itself
            reduce_lr = keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss",
                factor=0.5,
                patience=config.lr_patience,
                min_delta=config.lr_min_delta,
                min_lr=config.learning_rate / 32,
            )
        steps = config.steps_per_epoch or None
        progress = ProgressCallback(
            early_stopping=early_stopping,
            config=config,
            windows=steps * config.batch_size if steps else training_windows_per_epoch(split.train, config.seq_len),
            on_progress=on_progress or (lambda record: None),
            stop_event=stop_event,
            sample_prime=first_line(poem.tokenizer.decode(split.heldout.tolist())),
            poem=poem,
            start=start,
        )
        scored = covered_tokens(split.heldout, config.seq_len)
        scored_chars = len(poem.tokenizer.decode(scored.tolist()))
        return cls(
            poem,
            config,
            early_stopping,
            reduce_lr,
            progress,
            stop_event,
            len(scored),
            scored_chars,
            notes,
            precision,
            start,
        )

    def for_fit(self) -> list[keras.callbacks.Callback]:
        # The learning rate's first, so that the epoch it fires on is reported with the new rate.
        return [callback for callback in (self.reduce_lr, self.early_stopping, self.progress) if callback]

    def stop_reason(self) -> str:
        if self.early_stopping.stopped_epoch > 0:
            return "early_stopping"
        if self.stop_event.is_set():
            return "user_stop"
        return "time_limit" if self.progress.out_of_time else "max_epochs"

    def result(self, reason: str) -> TrainResult:
        kept_epoch, kept_loss = self.early_stopping.best_epoch + 1, float(self.early_stopping.best)
        if self.config.keep_weights == "last" and self.progress.history:
            kept_epoch, kept_loss = self.progress.history[-1].epoch, self.progress.history[-1].val_loss
        seconds = time.perf_counter() - self.started
        return TrainResult(
            poem=self.poem,
            train_config=self.config,
            history=list(self.progress.history),
            best_epoch=kept_epoch,
            best_val_loss=kept_loss,
            val_bits_per_char=bits_per_char(kept_loss, self.scored_tokens, self.scored_chars),
            stop_reason=reason,
            seconds=seconds,
            train_tokens_per_s=self.progress.tokens_seen / max(seconds, 1e-9),
            notes=self.notes,
            precision=self.precision,
        )

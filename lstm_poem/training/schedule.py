"""Learning-rate warm-up and cosine decay: a Keras callback, kept apart so ``train.py`` can import Keras lazily.

A schedule object would be the textbook way, but ReduceLROnPlateau and the
checkpoints assign the optimizer's rate directly; this callback sets it per
batch, from the optimizer's own step count, so a resumed run continues the ramp
where it was and the plateau halvings work as before (a run that decays along
the cosine has no plateau halvings).
"""

from __future__ import annotations

import math
import time

import keras


class RateSchedule(keras.callbacks.Callback):
    """Raise the learning rate linearly from ``peak / warmup`` to ``peak`` over the first ``warmup`` batches;
    then, with ``decay_to``, lower it along half a cosine to ``decay_to`` by the end of the run.

    The end is the time limit when there is one (``time_limit`` seconds after ``start``, a
    ``time.perf_counter()`` reading: what is left of the budget when the warm-up ends is what the cosine
    spans), otherwise ``total_batches``.
    """

    def __init__(
        self,
        peak: float,
        warmup: int,
        decay_to: float | None = None,
        time_limit: float | None = None,
        total_batches: int | None = None,
        start: float | None = None,
    ):
        super().__init__()
        self.peak, self.warmup, self.decay_to = peak, warmup, decay_to
        self.time_limit, self.total_batches = time_limit, total_batches
        self.start = time.perf_counter() if start is None else start
        self._decay_began: float | None = None  # perf_counter() at the first batch after the warm-up

    def on_train_batch_begin(self, batch, logs=None):
        done = int(self.model.optimizer.iterations.numpy())
        if done < self.warmup:
            self.model.optimizer.learning_rate = self.peak * (done + 1) / self.warmup
        elif self.decay_to is not None:
            self.model.optimizer.learning_rate = self.rate_after_warmup(done)

    def rate_after_warmup(self, done: int) -> float:
        """The cosine's rate after ``done`` batches, or at this moment of a run with a time limit."""
        if self.time_limit is not None:
            now = time.perf_counter()
            if self._decay_began is None:
                self._decay_began = now
            span = self.start + self.time_limit - self._decay_began
            progress = (now - self._decay_began) / span if span > 0 else 1.0
        else:
            span = (self.total_batches or 0) - self.warmup
            progress = (done - self.warmup) / span if span > 0 else 1.0
        progress = min(max(progress, 0.0), 1.0)
        return self.decay_to + 0.5 * (self.peak - self.decay_to) * (1.0 + math.cos(math.pi * progress))

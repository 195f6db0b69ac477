"""Learning-rate warm-up: a Keras callback, kept apart so ``train.py`` can import Keras lazily.

A schedule object would be the textbook way, but ReduceLROnPlateau and the
checkpoints assign the optimizer's rate directly; this callback sets it per
batch only while warming up, from the optimizer's own step count, so a resumed
run continues the ramp where it was and the plateau halvings work as before.
"""

from __future__ import annotations

import keras


class WarmUp(keras.callbacks.Callback):
    """Raise the learning rate linearly from ``peak / steps`` to ``peak`` over the first ``steps`` batches."""

    def __init__(self, peak: float, steps: int):
        super().__init__()
        self.peak = peak
        self.steps = steps

    def on_train_batch_begin(self, batch, logs=None):
        done = int(self.model.optimizer.iterations.numpy())
        if done < self.steps:
            self.model.optimizer.learning_rate = self.peak * (done + 1) / self.steps

"""The plain progress records a training reports: one per batch, one per epoch.

Written by the Keras callback in ``progress.py``, returned by ``train.py``, read
by jobs, charts and pages; no TensorFlow here, so all of them can import it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Temperature of the sample written after each epoch: cool enough that a model that has memorised
# its text writes it back out, so the Train page can chart the copied share over the epochs.
SAMPLE_TEMPERATURE = 0.5


@dataclass(frozen=True)
class BatchRecord:
    """Sent after every training batch."""

    epoch: int  # 1-based
    batch: int  # 1-based, within the epoch
    batches: int  # batches per epoch
    loss: float  # training loss of this batch, nats per token
    elapsed: float  # seconds since training started

    @property
    def fraction(self) -> float:
        return self.batch / self.batches


@dataclass(frozen=True)
class EpochRecord:
    """Sent after every epoch, once the held-out loss is known."""

    epoch: int  # 1-based
    loss: float  # mean training loss over the epoch (with dropout on)
    val_loss: float  # held-out loss, nats per token
    best_val_loss: float
    best_epoch: int
    epochs_without_improvement: int
    patience: int
    learning_rate: float  # in force at the end of this epoch (it is halved when progress stalls)
    elapsed: float
    sample: str = ""  # the held-out seed line and what the model wrote after it at the end of this epoch (T = 0.5)
    sample_seed_chars: int = 0  # how many of ``sample``'s first characters are the seed line


ProgressRecord = BatchRecord | EpochRecord

"""How to train: :class:`TrainConfig`, a validated dataclass (the architecture is in ``model.py``).

Its own module so that the trainer, its Keras callback, the presets and the
pages all import it from one place without loading TensorFlow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lstm_poem import limits
from lstm_poem.checks import ConfigError, check_int, check_range
from lstm_poem.network.model import PRECISIONS, ModelConfig

HOLDOUTS = ("tail", "poems")
KEEP_WEIGHTS = ("best", "last")


@dataclass(frozen=True)
class TrainConfig:
    """How to train (the architecture is in :class:`ModelConfig`)."""

    seq_len: int = 100
    batch_size: int = 32
    learning_rate: float = 0.01
    # Batches over which the learning rate climbs from near 0 to ``learning_rate`` (0 = start at it).
    # A Transformer's first steps, with attention still uniform, diverge at full rate without it.
    warmup_steps: int = 0
    # AdamW's decoupled weight decay of kernels and embeddings (0 = plain Adam, as the LSTMs train).
    weight_decay: float = 0.0
    # Adam's second-moment decay. nanoGPT's 0.99 forgets old gradient sizes sooner than Keras's 0.999,
    # which suits the short runs a Transformer gets here.
    adam_beta_2: float = 0.999
    # After the warm-up, lower the rate along a cosine to this value by the end of the run (the time limit
    # when there is one, else the last epoch), as nanoGPT does; None keeps the rate, halved on plateaus.
    decay_to: float | None = None
    epochs: int = 50
    patience: int = 5
    min_delta: float = 0.0
    # Halve the learning rate after this many epochs without held-out improvement (0 = never).
    lr_patience: int = 1
    # For the learning rate, an epoch that lowers the held-out loss by less than this is no improvement:
    # a long run creeping down by a thousandth an epoch gains more from a smaller step.
    lr_min_delta: float = 0.0001
    val_fraction: float = 0.1
    # What is held out: "tail" = the end of the text; "poems" = every k-th poem (poems separated by
    # two blank lines), for a collection in some sorted order whose tail would be unlike the rest.
    holdout: str = "tail"
    # Batches per epoch (0 = one pass over the text). On a large corpus a fixed number of batches
    # gives a held-out loss, an early-stopping check and a checkpoint every few minutes.
    steps_per_epoch: int = 0
    # Folder for a resumable checkpoint after every epoch (see lstm_poem.training.checkpoint); None = none.
    checkpoint_dir: str | None = None
    # "mixed_bfloat16" computes in bfloat16 where the CPU does so natively (float32 elsewhere, with a note).
    # Not the default: on a Xeon with AMX it only paid from batches of 128 windows up, which learn less per
    # second than the default 32 (docs/benchmarks.md, "Training speed").
    precision: str = "float32"
    seed: int = 42
    time_limit: float | None = None  # seconds; None = no limit
    sample_length: int = 0  # tokens of the sample written after each epoch (0 = none)
    # Whose weights the run hands back: the best held-out epoch's (early stopping's restore) or the last
    # epoch's, to show what training on past the best epoch does (it learns the text by heart).
    keep_weights: str = "best"
    # Only when starting from a trained model: keep its embedding / lowest recurrent layers fixed.
    freeze_embedding: bool = False
    freeze_layers: int = 0

    def __post_init__(self) -> None:
        check_int("seq_len", self.seq_len, 4, 1000)
        check_int("batch_size", self.batch_size, 1, 1024)
        check_range("learning_rate", self.learning_rate, 1e-6, 1.0)
        check_int("warmup_steps", self.warmup_steps, 0, 1_000_000)
        check_range("weight_decay", self.weight_decay, 0.0, 1.0)
        check_range("adam_beta_2", self.adam_beta_2, 0.5, 0.99999)
        if self.decay_to is not None:
            check_range("decay_to", self.decay_to, 0.0, self.learning_rate)
        check_int("epochs", self.epochs, 1, limits.MAX_EPOCHS)
        check_int("patience", self.patience, 1, 1000)
        check_range("min_delta", self.min_delta, 0.0, 1.0)
        check_int("lr_patience", self.lr_patience, 0, 1000)
        check_range("lr_min_delta", self.lr_min_delta, 0.0, 1.0)
        check_range("val_fraction", self.val_fraction, 0.01, 0.5)
        if self.holdout not in HOLDOUTS:
            raise ConfigError(f"holdout must be one of {', '.join(HOLDOUTS)}, not {self.holdout!r}.")
        check_int("steps_per_epoch", self.steps_per_epoch, 0, 10_000_000)
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}.")
        check_int("seed", self.seed, 0, 2**31 - 1)
        if self.time_limit is not None:
            check_range("time_limit", self.time_limit, 0.0, 24 * 3600)
        check_int("sample_length", self.sample_length, 0, 2000)
        if self.keep_weights not in KEEP_WEIGHTS:
            raise ConfigError(f"keep_weights must be one of {', '.join(KEEP_WEIGHTS)}, not {self.keep_weights!r}.")
        check_int("freeze_layers", self.freeze_layers, 0, 3)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# The Transformer's own recipe, nanoGPT's for a small character model on a CPU: small batches, a lower
# rate with a warm-up and a cosine decay, AdamW. Applied to the settings a person leaves at their
# defaults (the command line, the Train page's Custom form); docs/transformer.md has the measurements.
TRANSFORMER_TRAINING: dict[str, Any] = {
    "batch_size": 12,
    "learning_rate": 0.001,
    "warmup_steps": 100,
    "weight_decay": 0.1,
    "adam_beta_2": 0.99,
    "decay_to": 0.0001,
    "lr_patience": 0,
}

# Its network's one default that differs: nanoGPT's small character model has no dropout (in a run of a
# few minutes it only slows the learning).
TRANSFORMER_MODEL: dict[str, Any] = {"dropout": 0.0}


def training_defaults(model: ModelConfig) -> dict[str, Any]:
    """The training settings that differ from :class:`TrainConfig`'s defaults for this network."""
    return dict(TRANSFORMER_TRAINING) if model.is_transformer else {}


def check_window(model: ModelConfig, training: TrainConfig) -> None:
    """Refuse a training window a Transformer cannot read: its positions cover ``context`` tokens only."""
    if model.is_transformer and training.seq_len > model.context:
        raise ConfigError(
            f"The window ({training.seq_len} tokens) is longer than the Transformer's context "
            f"({model.context} positions); use a window of at most {model.context}."
        )

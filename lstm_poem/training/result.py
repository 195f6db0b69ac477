"""What a training hands back (:class:`TrainResult`) and the facts a model bundle keeps about its training."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from lstm_poem import __version__
from lstm_poem.network.model import PoemModel
from lstm_poem.text.corpus import Corpus
from lstm_poem.text.tokenizer import words
from lstm_poem.training.records import EpochRecord
from lstm_poem.training.train_config import TrainConfig

# Words of the training text a bundle lists (the 18 MB verse corpus has about 84,000).
MAX_SAVED_WORDS = 120_000


@dataclass
class TrainResult:
    """What :func:`~lstm_poem.training.train.train` returns. ``poem`` carries the best epoch's weights
    (the last epoch's when ``train_config.keep_weights`` is "last"): ``best_epoch`` and ``best_val_loss``
    are that epoch's."""

    poem: PoemModel
    train_config: TrainConfig
    history: list[EpochRecord]
    best_epoch: int
    best_val_loss: float
    val_bits_per_char: float
    # "early_stopping" | "time_limit" | "user_stop" | "max_epochs"; "running" in a checkpoint's bundle
    stop_reason: str
    seconds: float
    train_tokens_per_s: float
    notes: list[str] = field(default_factory=list)  # e.g. characters added to a base model's vocabulary
    precision: str = "float32"  # what the training computed in; the returned network is float32 either way
    # Held-out bits per character as the improvements table measures them (lstm_poem.running.job sets it):
    # a word model's held-out text scored again with its unknown words paid for.
    table_bits_per_char: float | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    @property
    def stopped_early(self) -> bool:
        """True when early stopping (patience used up) ended the run."""
        return self.stop_reason == "early_stopping"

    def summary(self) -> dict[str, Any]:
        """The JSON object the command line prints."""
        return {
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "stopped_early": self.stopped_early,
            "stop_reason": self.stop_reason,
            "val_bits_per_char": self.val_bits_per_char,
            "train_tokens_per_s": self.train_tokens_per_s,
            "seconds": self.seconds,
            "vocab_size": self.poem.tokenizer.vocab_size,
            "level": self.poem.config.level,
            "cell": self.poem.config.cell,
            "layers": self.poem.config.layers,
            "units": self.poem.config.units,
            "parameters": self.poem.config.parameter_count(self.poem.tokenizer.vocab_size),
            "seed": self.train_config.seed,
            "precision": self.precision,
        }


def bundle_info(corpus: Corpus, result: TrainResult, base: PoemModel | None) -> dict[str, Any]:
    """Facts saved with the model, all plain JSON."""
    counts = Counter(word.lower() for word in words(corpus.text))
    if base is not None:  # a fine-tuned model knows the base's words too
        counts.update(base.info.get("corpus", {}).get("words", []))
    # The most frequent words when there are too many: the first ones alphabetically would drop whole letters.
    vocabulary = sorted(word for word, _ in counts.most_common(MAX_SAVED_WORDS))
    info = {
        "name": corpus.name,
        "corpus": {
            "name": corpus.name,
            "chars": corpus.n_chars,
            "lines": corpus.n_lines,
            "words": vocabulary,  # lets a page tell invented words from real ones
        },
        "training": result.train_config.to_dict(),
        "history": [asdict(record) for record in result.history],
        "metrics": {key: value for key, value in result.summary().items() if key not in ("level", "cell")},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "lstm_poem": __version__,
    }
    if base is not None:
        info["base_model"] = {
            "name": base.info.get("name", "unknown"),
            "corpus": base.info.get("corpus", {}).get("name", "unknown"),
            "best_val_loss": base.info.get("metrics", {}).get("best_val_loss"),
            "created": base.info.get("created"),
            "base_model": base.info.get("base_model"),  # a chain of fine-tunings stays traceable
        }
        info["notes"] = result.notes
    return info

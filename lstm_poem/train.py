"""Train a poem model: Keras ``fit`` with early stopping, a time limit, a stop
button and progress reports.

:func:`train` knows nothing about any UI. It reports through ``on_progress``,
a plain function that receives the records of :mod:`lstm_poem.records` (called
on the training thread: it must be quick and must not touch a UI framework),
and it stops when ``stop_event`` is set. The arrows run one way: this module
uses ``progress.py`` (the callback), and both use ``records.py`` and
``train_config.py``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from lstm_poem import __version__
from lstm_poem.corpus import Corpus, corpus_from_text
from lstm_poem.data import (
    Split,
    covered_tokens,
    heldout_start,
    make_dataset,
    make_training_dataset,
    split_parts,
    split_poems,
    split_stream,
    training_windows_per_epoch,
)
from lstm_poem.finetune import adapt_vocabulary, freeze, network_from_base
from lstm_poem.model import ConfigError, ModelConfig, PoemModel, build_model, resolve_precision
from lstm_poem.records import EpochRecord, ProgressRecord
from lstm_poem.tokenizer import Tokenizer, WordTokenizer, fit_tokenizer, word_tokens, words
from lstm_poem.train_config import TrainConfig

# Words of the training text a bundle lists (the 18 MB verse corpus has about 84,000).
MAX_SAVED_WORDS = 120_000


@dataclass
class TrainResult:
    """What :func:`train` returns. ``poem`` carries the best epoch's weights (the last epoch's when
    ``train_config.keep_weights`` is "last"): ``best_epoch`` and ``best_val_loss`` are that epoch's."""

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


def bits_per_char(nats_per_token: float, tokens: int, chars: int) -> float:
    """Convert a loss in nats per token to bits per character of the same text."""
    return nats_per_token * tokens / max(chars, 1) / math.log(2)


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


def train(
    corpus: Corpus | str,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    on_progress: Callable[[ProgressRecord], None] | None = None,
    stop_event: threading.Event | None = None,
    init_from: PoemModel | None = None,
) -> TrainResult:
    """Train a model on ``corpus`` and return it with its history and metrics.

    With ``init_from`` (fine-tuning) the network starts as a copy of that
    model: its architecture replaces ``model_config`` and its vocabulary is
    kept (see :mod:`lstm_poem.finetune`). With ``train_config.checkpoint_dir``
    the whole training state is saved after every epoch, and a folder that
    already holds a checkpoint of the same settings is resumed from (see
    :mod:`lstm_poem.checkpoint`).

    Raises :class:`~lstm_poem.corpus.CorpusError` when the text is too short for
    the window and :class:`~lstm_poem.model.ConfigError` for impossible settings.
    """
    import keras

    from lstm_poem.progress import ProgressCallback

    start = time.perf_counter()
    model_config = model_config or ModelConfig()
    train_config = train_config or TrainConfig()
    if isinstance(corpus, str):
        corpus = corpus_from_text(corpus)
    stop_event = stop_event or threading.Event()

    notes: list[str] = []
    if init_from is not None:
        model_config = init_from.config
        vocabulary = adapt_vocabulary(init_from, corpus.text)
        tokenizer, notes = vocabulary.tokenizer, vocabulary.notes()
    elif model_config.level == "word":
        tokenizer = _fit_words_on_training_part(corpus.text, model_config.max_words, train_config)
    else:
        tokenizer = fit_tokenizer(corpus.text, "char")
    if model_config.is_transformer and train_config.seq_len > model_config.context:
        raise ConfigError(
            f"The window (seq_len {train_config.seq_len}) is longer than the Transformer's context "
            f"({model_config.context} positions); use a window of at most {model_config.context}."
        )
    split = split_tokens(corpus.text, tokenizer, train_config)
    model_config.check_size(tokenizer.vocab_size)
    resume = None
    if train_config.checkpoint_dir is not None:
        from lstm_poem.checkpoint import check_compatible, read_checkpoint

        resume = read_checkpoint(train_config.checkpoint_dir)
        settings = _checkpoint_settings(model_config, tokenizer, train_config)
        if resume is not None:
            check_compatible(resume, settings["model"], settings["tokenizer"], settings["training"])

    # A resumed run draws fresh data offsets and dropout masks instead of replaying the first session's.
    seed = train_config.seed + (resume.epochs_done if resume is not None else 0)
    keras.utils.set_random_seed(seed)
    precision, precision_note = resolve_precision(train_config.precision)
    notes += [precision_note] if precision_note else []
    if init_from is None or resume is not None:
        network = build_model(model_config, tokenizer.vocab_size, precision)
    else:
        network = network_from_base(init_from, tokenizer.vocab_size, precision)
    freeze(network, train_config.freeze_embedding, train_config.freeze_layers)
    network.compile(
        optimizer=make_optimizer(train_config),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    steps = train_config.steps_per_epoch or None
    train_data = make_training_dataset(
        split.train, train_config.seq_len, train_config.batch_size, seed, endless=steps is not None
    )
    heldout_data = make_dataset(split.heldout, train_config.seq_len, 256)
    # The training settings from the start: a Transformer's samples attend to at most one window.
    poem = PoemModel(
        network=network, tokenizer=tokenizer, config=model_config, info={"training": train_config.to_dict()}
    )

    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss",
        patience=train_config.patience,
        min_delta=train_config.min_delta,
        restore_best_weights=train_config.keep_weights == "best",
    )
    callbacks = [early_stopping]
    if train_config.warmup_steps:
        from lstm_poem.schedule import WarmUp

        callbacks.insert(0, WarmUp(train_config.learning_rate, train_config.warmup_steps))
    reduce_lr = None
    if train_config.lr_patience:
        reduce_lr = keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss",
            factor=0.5,
            patience=train_config.lr_patience,
            min_delta=train_config.lr_min_delta,
            min_lr=train_config.learning_rate / 32,
        )
        callbacks.insert(0, reduce_lr)  # first, so that the epoch it fires on is reported with the new rate
    per_pass = training_windows_per_epoch(split.train, train_config.seq_len)
    windows = steps * train_config.batch_size if steps else per_pass
    progress = ProgressCallback(
        early_stopping=early_stopping,
        config=train_config,
        windows=windows,
        on_progress=on_progress or (lambda record: None),
        stop_event=stop_event,
        sample_prime=first_line(tokenizer.decode(split.heldout.tolist())),
        poem=poem,
        start=start,
    )
    callbacks.append(progress)
    scored = covered_tokens(split.heldout, train_config.seq_len)
    scored_chars = len(tokenizer.decode(scored.tolist()))

    def result(reason: str) -> TrainResult:
        kept_epoch, kept_loss = early_stopping.best_epoch + 1, float(early_stopping.best)
        if train_config.keep_weights == "last" and progress.history:
            kept_epoch, kept_loss = progress.history[-1].epoch, progress.history[-1].val_loss
        seconds = time.perf_counter() - start
        return TrainResult(
            poem=poem,
            train_config=train_config,
            history=list(progress.history),
            best_epoch=kept_epoch,
            best_val_loss=kept_loss,
            val_bits_per_char=bits_per_char(kept_loss, len(scored), scored_chars),
            stop_reason=reason,
            seconds=seconds,
            train_tokens_per_s=progress.tokens_seen / max(seconds, 1e-9),
            notes=notes,
            precision=precision,
        )

    if train_config.checkpoint_dir is not None:
        from lstm_poem.checkpoint import CheckpointCallback, restore_network

        if resume is not None:
            restore_network(network, resume)
        callbacks.append(
            CheckpointCallback(
                train_config.checkpoint_dir,
                progress,
                reduce_lr,
                settings,
                describe=lambda: _bundle_info(corpus, result("running"), init_from),
                poem=poem,
                resume=resume,
            )
        )
    network.fit(
        train_data,
        validation_data=heldout_data,
        epochs=train_config.epochs,
        initial_epoch=resume.epochs_done if resume is not None else 0,
        steps_per_epoch=steps,
        callbacks=callbacks,
        shuffle=False,  # the dataset reshuffles itself, reproducibly, each epoch
        verbose=0,
    )

    if early_stopping.stopped_epoch > 0:
        reason = "early_stopping"
    elif stop_event.is_set():
        reason = "user_stop"
    elif progress.out_of_time:
        reason = "time_limit"
    else:
        reason = "max_epochs"
    # The model a run hands back is a fresh float32 network with the trained weights: it computes as it
    # will once saved and loaded (its poems, scores and traces do not depend on the CPU it trained on), and
    # nothing of training (optimizer slots, compiled training and validation graphs) lives on with it. A
    # finished Quick demo kept whole cost a server 27 MB.
    poem.network = build_model(model_config, tokenizer.vocab_size)
    poem.network.set_weights(network.get_weights())
    freeze(poem.network, train_config.freeze_embedding, train_config.freeze_layers)
    finished = result(reason)
    poem.info = _bundle_info(corpus, finished, init_from)
    return finished


def make_optimizer(config: TrainConfig):
    """Adam, or AdamW when ``config.weight_decay`` is set; gradients clipped to norm 1 either way.

    AdamW decays kernels and embedding tables only: shrinking biases, LayerNorm scales or learned
    positions towards 0 regularises nothing useful. Both keep the same slots, so checkpoints are alike.
    """
    import keras

    if not config.weight_decay:
        return keras.optimizers.Adam(config.learning_rate, clipnorm=1.0)
    optimizer = keras.optimizers.AdamW(config.learning_rate, weight_decay=config.weight_decay, clipnorm=1.0)
    optimizer.exclude_from_weight_decay(var_names=["bias", "offset", "scale", "positions"])
    return optimizer


def split_tokens(text: str, tokenizer: Tokenizer, config: TrainConfig) -> Split:
    """Encode ``text`` and cut it into training and held-out tokens as ``config.holdout`` says."""
    if config.holdout == "poems":
        train_text, heldout_text = split_poems(text, config.val_fraction)
        encode = lambda part: np.asarray(tokenizer.encode(part, skip_unknown=False).ids, np.int32)  # noqa: E731
        return split_parts(encode(train_text), encode(heldout_text), config.seq_len)
    ids = np.asarray(tokenizer.encode(text, skip_unknown=False).ids, dtype=np.int32)
    return split_stream(ids, config.seq_len, config.val_fraction)


def _checkpoint_settings(model_config: ModelConfig, tokenizer: Tokenizer, config: TrainConfig) -> dict[str, Any]:
    return {"model": model_config.to_dict(), "tokenizer": tokenizer.to_dict(), "training": config.to_dict()}


def _fit_words_on_training_part(text: str, max_words: int, config: TrainConfig) -> WordTokenizer:
    """Count words in the training part only: a held-out word never trained on is "unknown", as it
    would be in a new poem, instead of flattering the held-out loss. Each token becomes one id, so
    the boundary found here is the one :func:`split_stream` finds after encoding."""
    if config.holdout == "poems":
        return WordTokenizer.fit_pieces(word_tokens(split_poems(text, config.val_fraction)[0]), max_words)
    tokens = word_tokens(text)
    boundary = heldout_start(len(tokens), config.seq_len, config.val_fraction)
    return WordTokenizer.fit_pieces(tokens[:boundary], max_words)


def _bundle_info(corpus: Corpus, result: TrainResult, base: PoemModel | None) -> dict[str, Any]:
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

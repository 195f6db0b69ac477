"""Train a poem model: Keras ``fit`` with early stopping, a time limit, a stop
button and progress reports.

:func:`train` knows nothing about any UI. It reports through ``on_progress``,
a plain function that receives the records of :mod:`lstm_poem.training.records` (called
on the training thread: it must be quick and must not touch a UI framework),
and it stops when ``stop_event`` is set. The arrows run one way: this module
uses ``callbacks.py`` (the callbacks and the result read from them), which uses
``progress.py`` (the progress callback); all use ``records.py`` and ``train_config.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_poem.network.model import ModelConfig, PoemModel, build_model, resolve_precision
from lstm_poem.text.corpus import Corpus, CorpusError, corpus_from_text
from lstm_poem.text.tokenizer import Tokenizer, WordTokenizer, fit_tokenizer, word_level_problem, word_tokens
from lstm_poem.training.callbacks import TrainingCallbacks
from lstm_poem.training.data import (
    Split,
    heldout_start,
    make_dataset,
    make_training_dataset,
    split_parts,
    split_poems,
    split_stream,
)
from lstm_poem.training.finetune import adapt_vocabulary, freeze, network_from_base
from lstm_poem.training.records import ProgressRecord
from lstm_poem.training.result import TrainResult, bundle_info
from lstm_poem.training.train_config import TrainConfig, check_window

if TYPE_CHECKING:  # both import Keras, which this module imports only when it trains
    import keras

    from lstm_poem.training.checkpoint import Resume


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
    kept (see :mod:`lstm_poem.training.finetune`). With ``train_config.checkpoint_dir``
    the whole training state is saved after every epoch, and a folder that
    already holds a checkpoint of the same settings is resumed from (see
    :mod:`lstm_poem.training.checkpoint`).

    Raises :class:`~lstm_poem.text.corpus.CorpusError` when the text is too short for
    the window or, at word level, written without spaces between words, and
    :class:`~lstm_poem.checks.ConfigError` for impossible settings.
    """
    import keras

    start = time.perf_counter()
    model_config = model_config or ModelConfig()
    train_config = train_config or TrainConfig()
    if isinstance(corpus, str):
        corpus = corpus_from_text(corpus)
    stop_event = stop_event or threading.Event()
    if init_from is not None:
        model_config = init_from.config

    check_window(model_config, train_config)
    tokenizer, notes = _tokenizer(corpus.text, model_config, train_config, init_from)
    split = split_tokens(corpus.text, tokenizer, train_config)
    model_config.check_size(tokenizer.vocab_size)
    resume, settings = _resume_point(model_config, tokenizer, train_config)

    # A resumed run draws fresh data offsets and dropout masks instead of replaying the first session's.
    seed = train_config.seed + (resume.epochs_done if resume is not None else 0)
    keras.utils.set_random_seed(seed)
    network, precision, precision_note = _compiled_network(
        model_config, tokenizer.vocab_size, train_config, None if resume is not None else init_from
    )
    notes += [precision_note] if precision_note else []
    steps = train_config.steps_per_epoch or None
    train_data = make_training_dataset(
        split.train, train_config.seq_len, train_config.batch_size, seed, endless=steps is not None
    )
    heldout_data = make_dataset(split.heldout, train_config.seq_len, 256)
    # The training settings from the start: a Transformer's samples attend to at most one window.
    poem = PoemModel(
        network=network, tokenizer=tokenizer, config=model_config, info={"training": train_config.to_dict()}
    )

    training_callbacks = TrainingCallbacks.start(
        poem, split, train_config, on_progress, stop_event, start, notes, precision
    )
    callbacks = training_callbacks.for_fit()
    if train_config.warmup_steps or train_config.decay_to is not None:
        from lstm_poem.training.schedule import RateSchedule

        schedule = RateSchedule(
            train_config.learning_rate,
            train_config.warmup_steps,
            train_config.decay_to,
            train_config.time_limit,
            total_batches=training_callbacks.progress.batches * train_config.epochs,
            start=start,
        )
        callbacks.insert(0, schedule)
    if train_config.checkpoint_dir is not None:
        callbacks.append(
            _checkpoint_callback(
                training_callbacks,
                settings,
                resume,
                describe=lambda: bundle_info(corpus, training_callbacks.result("running"), init_from),
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

    poem.network = _inference_copy(network, model_config, tokenizer.vocab_size, train_config)
    finished = training_callbacks.result(training_callbacks.stop_reason())
    poem.info = bundle_info(corpus, finished, init_from)
    return finished


def _tokenizer(
    text: str, model_config: ModelConfig, config: TrainConfig, init_from: PoemModel | None
) -> tuple[Tokenizer, list[str]]:
    """The tokenizer to train with, and notes for the person (what a base model's vocabulary gained)."""
    if init_from is not None:
        vocabulary = adapt_vocabulary(init_from, text)
        return vocabulary.tokenizer, vocabulary.notes()
    if model_config.level == "word":
        problem = word_level_problem(text)
        if problem:
            raise CorpusError(problem)
        return _fit_words_on_training_part(text, model_config.max_words, config), []
    return fit_tokenizer(text, "char"), []


def _resume_point(
    model_config: ModelConfig, tokenizer: Tokenizer, config: TrainConfig
) -> tuple[Resume | None, dict[str, Any]]:
    """The checkpoint to go on from (None: start afresh) and the settings a checkpoint records."""
    if config.checkpoint_dir is None:
        return None, {}
    from lstm_poem.training.checkpoint import check_compatible, read_checkpoint

    settings = {"model": model_config.to_dict(), "tokenizer": tokenizer.to_dict(), "training": config.to_dict()}
    resume = read_checkpoint(config.checkpoint_dir)
    if resume is not None:
        check_compatible(resume, settings["model"], settings["tokenizer"], settings["training"])
    return resume, settings


def _compiled_network(
    model_config: ModelConfig, vocab_size: int, config: TrainConfig, base: PoemModel | None
) -> tuple[keras.Model, str, str | None]:
    """A network ready to fit (a copy of ``base`` when fine-tuning), the precision it computes in and a note
    when that is not the one asked for."""
    import keras

    precision, precision_note = resolve_precision(config.precision)
    if base is None:
        network = build_model(model_config, vocab_size, precision)
    else:
        network = network_from_base(base, vocab_size, precision)
    freeze(network, config.freeze_embedding, config.freeze_layers)
    network.compile(
        optimizer=make_optimizer(config),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return network, precision, precision_note


def make_optimizer(config: TrainConfig) -> keras.optimizers.Optimizer:
    """Adam, or AdamW when ``config.weight_decay`` is set.

    Adam, as the LSTMs were tuned, clips each gradient to norm 1; AdamW, the Transformer's recipe, clips
    all of them together to a global norm of 1, as nanoGPT does. AdamW decays the matrices only (kernels,
    the embedding table, the learned positions), as nanoGPT does: shrinking biases or LayerNorm scales
    towards 0 regularises nothing useful. Both keep the same slots, so checkpoints are alike.
    """
    import keras

    if not config.weight_decay:
        return keras.optimizers.Adam(config.learning_rate, beta_2=config.adam_beta_2, clipnorm=1.0)
    optimizer = keras.optimizers.AdamW(
        config.learning_rate, weight_decay=config.weight_decay, beta_2=config.adam_beta_2, global_clipnorm=1.0
    )
    optimizer.exclude_from_weight_decay(var_names=["bias", "offset", "scale"])
    return optimizer


def _checkpoint_callback(
    training_callbacks: TrainingCallbacks,
    settings: dict[str, Any],
    resume: Resume | None,
    describe: Callable[[], dict[str, Any]],
) -> keras.callbacks.Callback:
    """Saves the whole training state after every epoch; a resumed run's network first gets its weights back."""
    from lstm_poem.training.checkpoint import CheckpointCallback, restore_network

    if resume is not None:
        restore_network(training_callbacks.poem.network, resume)
    return CheckpointCallback(
        training_callbacks.config.checkpoint_dir,
        training_callbacks.progress,
        training_callbacks.reduce_lr,
        settings,
        describe=describe,
        poem=training_callbacks.poem,
        resume=resume,
    )


def _inference_copy(network: keras.Model, model_config: ModelConfig, vocab_size: int, config: TrainConfig):
    """A fresh float32 network with the trained weights: it computes as it will once saved and loaded (its
    poems, scores and traces do not depend on the CPU it trained on), and nothing of training (optimizer
    slots, compiled training and validation graphs) lives on with it, which kept a finished run small."""
    copy = build_model(model_config, vocab_size)
    copy.set_weights(network.get_weights())
    freeze(copy, config.freeze_embedding, config.freeze_layers)
    return copy


def split_tokens(text: str, tokenizer: Tokenizer, config: TrainConfig) -> Split:
    """Encode ``text`` and cut it into training and held-out tokens as ``config.holdout`` says."""
    if config.holdout == "poems":
        train_text, heldout_text = split_poems(text, config.val_fraction)
        encode = lambda part: np.asarray(tokenizer.encode(part, skip_unknown=False).ids, np.int32)  # noqa: E731
        return split_parts(encode(train_text), encode(heldout_text), config.seq_len)
    ids = np.asarray(tokenizer.encode(text, skip_unknown=False).ids, dtype=np.int32)
    return split_stream(ids, config.seq_len, config.val_fraction)


def _fit_words_on_training_part(text: str, max_words: int, config: TrainConfig) -> WordTokenizer:
    """Count words in the training part only: a held-out word never trained on is "unknown", as it
    would be in a new poem, instead of flattering the held-out loss. Each token becomes one id, so
    the boundary found here is the one :func:`split_stream` finds after encoding."""
    if config.holdout == "poems":
        return WordTokenizer.fit_pieces(word_tokens(split_poems(text, config.val_fraction)[0]), max_words)
    tokens = word_tokens(text)
    boundary = heldout_start(len(tokens), config.seq_len, config.val_fraction)
    return WordTokenizer.fit_pieces(tokens[:boundary], max_words)

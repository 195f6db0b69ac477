"""What one browser session holds: its training runs and its models.

Everything lives in ``st.session_state``, so students on a shared server never
see or disturb each other's work. The one thing shared is a training several of
them asked for identically: each run holds its own seat at it (lstm_poem/running/sharing.py).
Pages read and change it only through these functions.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import streamlit as st

from lstm_poem import limits
from lstm_poem.files.pretrained import pretrained_catalog
from lstm_poem.network.model import ModelConfig, PoemModel
from lstm_poem.running.backend import TrainingHandle, TrainingRequest
from lstm_poem.running.sharing import REGISTRY
from lstm_poem.teaching.class_board import network_name
from lstm_poem.text.corpus import Corpus
from lstm_poem.training.train_config import TrainConfig
from ui import memory

PRETRAINED_PREFIX = "pretrained-"
_GENERATOR_LOCK = threading.Lock()
# Generated poems remembered per session, so a rerun that changed nothing draws instantly.
MAX_REMEMBERED_POEMS = 32
# Poems and odds of the pretrained models remembered for the whole server (a few KB each).
MAX_SHARED_RESULTS = 256


@dataclass
class Run:
    """One training started from the Train page."""

    number: int
    corpus_name: str
    job: TrainingHandle  # a seat at a training shared by everyone who asked for the same (lstm_poem.running.sharing)
    model_key: str | None = None  # set once the trained model is registered
    base_name: str | None = None  # the model it was fine-tuned from
    chart: tuple[tuple, dict] | None = None  # the live loss chart's spec, with the progress it was built from
    bits_per_char: float | None = None  # held-out, as the improvements table measures it (set when done)
    corpus_text: str = field(default="", repr=False)  # the training text (shared, not copied), to score a word run

    @property
    def label(self) -> str:
        start = f" · fine-tuned from {self.base_name}" if self.base_name else ""
        return f"Run {self.number} · {network_name(self.job.model_config)}{start} · {self.corpus_name}"


@dataclass
class ModelEntry:
    """A model the Generate page can use, with the things derived from it kept alongside."""

    key: str
    name: str
    source: str  # where it came from, in words
    poem: PoemModel
    about: str = ""  # how it was made, when that is worth telling (pretrained models)
    _bundle: bytes | None = field(default=None, repr=False)
    _generator: Any = field(default=None, repr=False)

    @property
    def corpus_name(self) -> str:
        return str(self.poem.info.get("corpus", {}).get("name", "unknown"))

    @property
    def best_val_loss(self) -> float | None:
        value = self.poem.info.get("metrics", {}).get("best_val_loss")
        return float(value) if isinstance(value, int | float) else None

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """The training text's words, built once (up to 20,000 of them)."""
        return frozenset(self.poem.info.get("corpus", {}).get("words", []))

    def bundle(self) -> bytes:
        """The model as a downloadable file (built once)."""
        from lstm_poem.files.bundle import bundle_bytes

        if self._bundle is None:
            self._bundle = bundle_bytes(self.poem)
        return self._bundle

    def generator(self):
        """The model's sampler (built once: its compiled graph makes later poems fast)."""
        from lstm_poem.network.generate import Generator

        with _GENERATOR_LOCK:  # a pretrained model is shared: two sessions must not both compile it
            if self._generator is None:
                self._generator = Generator(self.poem)
        return self._generator


def runs() -> list[Run]:
    return st.session_state.setdefault("runs", [])


def active_run() -> Run | None:
    """The run still training or waiting for a slot, if any (a session trains one model at a time)."""
    latest = runs()[-1] if runs() else None
    return latest if latest is not None and latest.job.snapshot().running else None


def start_run(
    corpus: Corpus,
    model_config: ModelConfig,
    train_config: TrainConfig,
    base: ModelEntry | None = None,
    board_name: str = "",
) -> Run:
    """Start a training (fine-tuning ``base`` when given), unless this session already has one going
    (a double click), which is returned. A classmate's identical training is joined, not repeated;
    ``board_name`` is what the class board shows for this student (nothing when empty)."""
    running = active_run()
    if running is not None:
        return running
    job = REGISTRY.submit(
        TrainingRequest(
            corpus,
            model_config,
            train_config,
            init_from=base.poem if base is not None else None,
            abandon_after=limits.ABANDONED_TRAINING_SECONDS,  # read now, so a teacher's setting applies at once
        ),
        name=board_name,
    )
    run = Run(
        len(runs()) + 1, corpus.name, job, base_name=base.name if base is not None else None, corpus_text=corpus.text
    )
    runs().append(run)
    return run


def models() -> dict[str, ModelEntry]:
    """This session's own models: trained here or uploaded."""
    return st.session_state.setdefault("models", {})


@st.cache_resource(show_spinner="Loading the pretrained models…")
def pretrained_models() -> dict[str, ModelEntry]:
    """The shipped demo models, loaded once per server and shared read-only by every session.

    Sharing is safe: generating never changes a model, and its compiled sampler
    takes everything per call as arguments. A damaged file is left out rather
    than breaking the page.
    """
    from lstm_poem.files.bundle import BundleError

    entries = {}
    for item in pretrained_catalog():
        try:
            poem = item.load()
        except BundleError:
            continue
        about = (
            f"Pretrained: {item.description} Held-out loss {item.held_out_loss:.3f} nats per character on "
            f"{item.held_out} (trained {item.trained_on}; the command is in pretrained/catalog.json)."
        )
        key = PRETRAINED_PREFIX + item.name
        entries[key] = ModelEntry(key, item.title, "pretrained", poem, about=about)
    memory.freeze_long_lived()  # they live as long as the server: later collections skip them
    return entries


def available_models() -> dict[str, ModelEntry]:
    """Everything the Generate page offers: this session's models first, then the pretrained ones."""
    return {**models(), **pretrained_models()}


def current_model() -> ModelEntry | None:
    key = st.session_state.get("current_model", "")
    if key.startswith(PRETRAINED_PREFIX):  # only look there when chosen: loading needs TensorFlow
        return pretrained_models().get(key)
    return models().get(key)


def select_model(key: str) -> None:
    st.session_state["current_model"] = key


def add_model(entry: ModelEntry) -> ModelEntry:
    """Register a model (once per key) and make it the current one."""
    entry = models().setdefault(entry.key, entry)
    select_model(entry.key)
    return entry


def collect_finished_runs() -> None:
    """Turn every newly finished training into a model, then start the next queued one;
    called at the top of every script run."""
    for run in runs():
        snapshot = run.job.snapshot()
        if run.model_key is None and snapshot.state == "done" and snapshot.result is not None:
            run.model_key = f"run-{run.number}"
            add_model(ModelEntry(run.model_key, run.label, "trained in this session", snapshot.result.poem))
            run.bits_per_char = _fair_bits(run, snapshot.result)
    waiting = queued_runs()
    if waiting and active_run() is None:
        corpus, row = waiting.pop(0)
        base = pretrained_models().get(PRETRAINED_PREFIX + row.base) if row.base else None
        if row.base is None or base is not None:  # a base missing from this install is skipped
            start_run(corpus, row.model or ModelConfig(), row.training, base=base)


def _fair_bits(run: Run, result) -> float:
    from lstm_poem.measuring.scoring import run_bits_per_char

    training = result.train_config
    if not run.corpus_text:  # a run made without its text (tests): keep what training reported
        return result.val_bits_per_char
    return run_bits_per_char(
        result.poem, run.corpus_text, training.seq_len, training.val_fraction, result.val_bits_per_char
    )


def queued_runs() -> list:
    """Trainings waiting to start one after another (the improvements table's quick rows)."""
    return st.session_state.setdefault("run_queue", [])


def queue_quick_rows(corpus: Corpus) -> int:
    """Queue the table's cheap rows on ``corpus`` (each within the server's time cap); returns how many."""
    from lstm_poem.teaching.improvements import quick_rows

    rows = quick_rows(limits.MAX_TRAINING_SECONDS)
    queued_runs().extend((corpus, row) for row in rows)
    collect_finished_runs()  # starts the first at once
    return len(rows)


def add_uploaded_model(data: bytes, file_name: str) -> ModelEntry:
    """Load a bundle someone uploaded (raises BundleError for anything that is not one)."""
    from lstm_poem.files.bundle import load_bundle

    key = "upload-" + hashlib.sha256(data).hexdigest()[:16]
    if key in models():
        select_model(key)
        return models()[key]
    poem = load_bundle(data)
    return add_model(ModelEntry(key, f"{file_name} (uploaded)", "uploaded", poem))


def remembered(key: tuple, compute, shared: bool = False):
    """``compute()``, remembered for this session under ``key`` (oldest entries are forgotten).

    With ``shared``, remembered for every session of this server instead: only for results
    that depend on nothing but ``key`` and read-only shared things (a pretrained model), so a
    class opening the Generate page together waits for one set of poems, not thirty.
    """
    if shared:
        return _shared_result(key, compute)
    memo: dict = st.session_state.setdefault("remembered", {})
    if key not in memo:
        memo[key] = compute()
        while len(memo) > MAX_REMEMBERED_POEMS:
            memo.pop(next(iter(memo)))
    return memo[key]


@st.cache_resource(max_entries=MAX_SHARED_RESULTS, show_spinner=False)
def _shared_result(key: tuple, _compute):
    # Streamlit computes each key once even when many sessions ask at the same moment.
    return _compute()


def kept(key: str, default: Any) -> str:
    """Use ``key`` as a widget key whose value survives page switches.

    Streamlit forgets the state of widgets a page did not draw, so a user who
    leaves the Train page would come back to default settings. The last value
    is copied aside and put back before the widget is drawn again.
    """
    store: dict = st.session_state.setdefault("kept", {})
    if key in st.session_state:
        store[key] = st.session_state[key]
    else:
        st.session_state[key] = store.get(key, default)
    return key

"""A session's trainings: its runs, and the queue of the improvements table's quick rows.

Runs live in ``st.session_state``. The one thing shared between sessions is a
training several students asked for identically: each run holds its own seat at
it (lstm_poem/running/sharing.py). A finished run becomes one of the session's
models (:mod:`ui.session_models`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from lstm_poem import limits
from lstm_poem.network.model import ModelConfig
from lstm_poem.running.backend import TrainingHandle, TrainingRequest
from lstm_poem.running.job import JobSnapshot
from lstm_poem.running.sharing import REGISTRY, Asker, QueueFull
from lstm_poem.teaching.class_board import network_name
from lstm_poem.text.corpus import Corpus
from lstm_poem.training.train_config import TrainConfig
from ui import classroom
from ui.session_models import PRETRAINED_PREFIX, ModelEntry, add_model, pretrained_models


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
    corpus_text: str = field(default="", repr=False)  # the training text (shared, not copied), for the copy check

    @property
    def label(self) -> str:
        start = f" · fine-tuned from {self.base_name}" if self.base_name else ""
        return f"Run {self.number} · {network_name(self.job.model_config)}{start} · {self.corpus_name}"


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
    asker: Asker | None = None,
) -> Run:
    """Start a training (fine-tuning ``base`` when given), unless this session already has one going
    (a double click), which is returned. A classmate's identical training is joined, not repeated;
    ``asker`` is what the class board knows of this student (by default: their browser and class, no name).
    Raises QueueFull when too many trainings already wait for a slot."""
    running = active_run()
    if running is not None:
        return running
    import pandas  # noqa: F401 - before the training's thread imports Keras, which imports it (streamlit_app.py)

    job = REGISTRY.submit(
        TrainingRequest(
            corpus,
            model_config,
            train_config,
            init_from=base.poem if base is not None else None,
            abandon_after=limits.ABANDONED_TRAINING_SECONDS,  # read now, so a teacher's setting applies at once
        ),
        asker if asker is not None else classroom.asker(),
    )
    run = Run(
        len(runs()) + 1, corpus.name, job, base_name=base.name if base is not None else None, corpus_text=corpus.text
    )
    runs().append(run)
    return run


def collect_finished_runs() -> None:
    """Turn every newly finished training into a model, then start the next queued one. The one place a
    finished run comes back to the pages: ``streamlit_app.py`` calls it at the top of every script run, and a
    page that sees a run finish later in a script run reruns the script (``ui/training_view.py``)."""
    for run in runs():
        snapshot = run.job.snapshot()
        if finished_since_collected(run, snapshot):
            run.model_key = f"run-{run.number}"
            add_model(ModelEntry(run.model_key, run.label, "trained in this session", snapshot.result.poem))
            run.bits_per_char = _fair_bits(snapshot.result)
    start_next_queued()


def finished_since_collected(run: Run, snapshot: JobSnapshot) -> bool:
    """Whether ``run`` has finished with a model that :func:`collect_finished_runs` has not collected yet."""
    return run.model_key is None and snapshot.state == "done" and snapshot.result is not None


def start_next_queued() -> None:
    """Start the first queued training unless one is going."""
    waiting = queued_runs()
    if waiting and active_run() is None:
        corpus, row, asker = waiting.pop(0)
        base = pretrained_models().get(PRETRAINED_PREFIX + row.base) if row.base else None
        if row.base is None or base is not None:  # a base missing from this install is skipped
            try:
                start_run(corpus, row.model or ModelConfig(), row.training, base=base, asker=asker)
            except QueueFull as err:  # the rest of the rows would be refused too: say so on the Train page
                waiting.clear()
                st.session_state["queue_refused"] = str(err)


def _fair_bits(result) -> float:
    """As the improvements table measures it: scored by the training job itself, inside its training slot
    (lstm_poem.running.job.score_for_table), never on the page's thread."""
    return result.val_bits_per_char if result.table_bits_per_char is None else result.table_bits_per_char


def queued_runs() -> list:
    """Trainings waiting to start one after another (the improvements table's quick rows)."""
    return st.session_state.setdefault("run_queue", [])


def queue_quick_rows(corpus: Corpus, asker: Asker | None = None) -> int:
    """Queue the table's cheap rows on ``corpus`` (each within the server's time cap), each asked for as
    ``asker``; returns how many."""
    from lstm_poem.teaching.improvements import quick_rows

    rows = quick_rows(limits.MAX_TRAINING_SECONDS)
    queued_runs().extend((corpus, row, asker) for row in rows)
    start_next_queued()  # the first at once
    return len(rows)

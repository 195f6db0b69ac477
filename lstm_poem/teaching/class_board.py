"""The class board: every training on this server in the last hour, as plain rows and one chart.

A class's pages poll it every few seconds while trainings run, so it is built
once per change for the whole server: :class:`ClassBoard` keeps the last rows
and chart and rebuilds them only when a training has moved on (a new epoch,
state or seat), which a poll can tell from a few integers.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from lstm_poem.network.model import ModelConfig
from lstm_poem.running.sharing import REGISTRY, SharedTraining, TrainingRegistry
from lstm_poem.training.records import EpochRecord

# Longest line of verse shown for a training.
VERSE_CHARS = 72
ENDINGS = {
    "early_stopping": "early stopping",
    "time_limit": "time limit",
    "user_stop": "stopped",
    "max_epochs": "last epoch",
}
STATES = {"pending": "waiting", "queued": "waiting", "running": "training"}


def network_name(config: ModelConfig) -> str:
    """A short name for a network, e.g. "LSTM 1×128 · char"."""
    return f"{config.cell_name} {config.layers}×{config.units} · {config.level}"


@dataclass(frozen=True)
class BoardRow:
    """One training as the board shows it."""

    number: int  # in order of first request on this server
    corpus: str
    network: str
    students: int  # seats at it: everyone who asked for exactly this training
    names: str  # names students chose to show, comma-separated ("" for none)
    status: str  # "waiting" | "training" | how it ended ("early stopping", "time limit", …)
    epochs: int
    best_val_loss: float | None  # nats per token, held out
    bits_per_char: float | None  # held out; for a word model only once it has finished
    verse: str  # a line of its latest sample
    history: tuple[EpochRecord, ...]

    @property
    def label(self) -> str:
        return f"#{self.number} {self.corpus} · {self.network}"


def board_row(shared: SharedTraining) -> BoardRow:
    snapshot = shared.job.snapshot(seen=False)
    result = snapshot.result
    epochs = snapshot.epochs
    if snapshot.state in STATES:
        status = STATES[snapshot.state]
    elif snapshot.state == "done" and result is not None:
        status = ENDINGS.get(result.stop_reason, result.stop_reason)
    else:
        status = snapshot.state  # "failed" or "cancelled"
    best = result.best_val_loss if result is not None else (epochs[-1].best_val_loss if epochs else None)
    if result is not None:
        bits = result.val_bits_per_char
    elif best is not None and snapshot.model_config.level == "char":
        bits = best / math.log(2)
    else:
        bits = None
    return BoardRow(
        number=shared.number,
        corpus=shared.job.corpus.name,
        network=network_name(snapshot.model_config),
        students=len(shared.seats),
        names=", ".join(shared.names()),
        status=status,
        epochs=len(epochs),
        best_val_loss=best,
        bits_per_char=bits,
        verse=verse_line(next((record.sample for record in reversed(epochs) if record.sample), "")),
        history=epochs,
    )


def verse_line(sample: str) -> str:
    """The first written line of a sample (its first line is the prime it was given)."""
    lines = [line.strip() for line in sample.split("\n")[1:]]
    line = next((line for line in lines if line), "")
    return line if len(line) <= VERSE_CHARS else line[: VERSE_CHARS - 1] + "…"


class ClassBoard:
    """The rows and chart, rebuilt only when some training has moved on since the last look."""

    def __init__(self, registry: TrainingRegistry = REGISTRY):
        self.registry = registry
        self._lock = threading.Lock()
        self._mark: tuple = ()
        self._view: tuple[list[BoardRow], dict | None] = ([], None)
        self.rebuilds = 0  # how often it was rebuilt (the cost benchmark reads it)

    def view(self) -> tuple[list[BoardRow], dict | None]:
        """The rows, oldest first, and every training's held-out loss by epoch overlaid as a Vega-Lite spec
        (None: no epoch yet). The spec is built once per change: Altair's own validation costs a poll ~20 ms."""
        trainings = self.registry.recent()
        mark = tuple(_progress_mark(shared) for shared in trainings)
        with self._lock:
            if mark != self._mark:
                rows = [board_row(shared) for shared in trainings]
                from lstm_poem.teaching.run_charts import (
                    runs_chart,  # here: the start page, which imports this, needs no altair
                )

                curves = [(row.label, row.history) for row in rows if row.history]
                self._view = (rows, runs_chart(curves, unit="nats per token").to_dict() if curves else None)
                self._mark = mark
                self.rebuilds += 1
            return self._view


def _progress_mark(shared: SharedTraining) -> tuple:
    snapshot = shared.job.snapshot(seen=False)
    return shared.number, snapshot.state, len(snapshot.epochs), len(shared.seats), tuple(shared.names())


BOARD = ClassBoard()

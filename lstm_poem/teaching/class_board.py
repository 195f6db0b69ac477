"""The class board: one class's trainings of the last hour (or one student's own), as plain rows and one chart.

A training is shared by everyone on the server who asked for exactly it, but
a board counts only the seats of its viewer (:class:`Viewer`): a class sees
the trainings its students sit at, with only them counted and named; a student
in no class sees only their own. A row whose text its students uploaded or
pasted shows "own text", with no file name and no verse, unless every one of
the class's students at it ticked "show my verse on the class board".

A class's pages poll it every few seconds while trainings run, so it is built
once per change for each viewer: :class:`ClassBoard` keeps the last rows and
chart of each and rebuilds them only when a training has moved on (a new
epoch, state or seat), which a poll can tell from a few integers.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from lstm_poem.network.model import ModelConfig
from lstm_poem.running.sharing import REGISTRY, Seat, SharedTraining, TrainingRegistry
from lstm_poem.training.records import EpochRecord

# Longest line of verse shown for a training.
VERSE_CHARS = 72
# What a row shows for a text its students uploaded or pasted and did not choose to show.
OWN_TEXT = "own text"
# Viewers whose last board is kept (classes, and students in none); the rest are rebuilt at their next look.
KEPT_VIEWS = 128
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
class Viewer:
    """Whose board it is: a class's (its code), or, for a student in no class, their own (their browser's token)."""

    class_code: str = ""
    visitor: str = ""
    hidden: frozenset[int] = frozenset()  # rows the class's teacher hid

    def seats(self, shared: SharedTraining) -> list[Seat]:
        """The seats of ``shared`` this viewer may see: their class's, or their own."""
        if self.class_code:
            return shared.seats_in(self.class_code)
        return [seat for seat in shared.seats_in("") if self.visitor and seat.asker.visitor == self.visitor]


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


def board_row(shared: SharedTraining, seats: list[Seat]) -> BoardRow:
    """``shared`` as seen by ``seats`` (one class's, or one student's): only they are counted and named."""
    snapshot = shared.job.snapshot(seen=False)
    private = any(seat.asker.private for seat in seats)
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
        corpus=OWN_TEXT if private else shared.job.corpus.name,
        network=network_name(snapshot.model_config),
        students=len(seats),
        names=", ".join(shared.names(seats)),
        status=status,
        epochs=len(epochs),
        best_val_loss=best,
        bits_per_char=bits,
        verse="" if private else verse_line(next((record.sample for record in reversed(epochs) if record.sample), "")),
        history=tuple(replace(record, sample="", sample_seed_chars=0) for record in epochs) if private else epochs,
    )


def verse_line(sample: str) -> str:
    """The first written line of a sample (its first line is the prime it was given)."""
    lines = [line.strip() for line in sample.split("\n")[1:]]
    line = next((line for line in lines if line), "")
    return line if len(line) <= VERSE_CHARS else line[: VERSE_CHARS - 1] + "…"


class ClassBoard:
    """Each viewer's rows and chart, rebuilt only when one of their trainings has moved on since their last look."""

    def __init__(self, registry: TrainingRegistry = REGISTRY, kept_views: int = KEPT_VIEWS):
        self.registry = registry
        self.kept_views = kept_views
        self._lock = threading.Lock()
        self._views: OrderedDict[tuple, tuple[tuple, tuple[list[BoardRow], dict | None]]] = OrderedDict()
        self.rebuilds = 0  # how often a view was rebuilt (the cost benchmark reads it)

    def view(self, viewer: Viewer) -> tuple[list[BoardRow], dict | None]:
        """``viewer``'s rows, oldest first, and their held-out loss by epoch overlaid as a Vega-Lite spec
        (None: no epoch yet). The spec is built once per change: Altair's own validation costs a poll ~20 ms."""
        seen = [
            (shared, seats)
            for shared in self.registry.recent()
            if shared.number not in viewer.hidden and (seats := viewer.seats(shared))
        ]
        mark = tuple(_progress_mark(shared, seats) for shared, seats in seen)
        key = (viewer.class_code, "" if viewer.class_code else viewer.visitor)
        with self._lock:
            kept = self._views.get(key)
            if kept is not None and kept[0] == mark:
                self._views.move_to_end(key)
                return kept[1]
            rows = [board_row(shared, seats) for shared, seats in seen]
            from lstm_poem.teaching.run_charts import (
                runs_chart,  # here: the start page, which imports this, needs no altair
            )

            curves = [(row.label, row.history) for row in rows if row.history]
            built = (rows, runs_chart(curves, unit="nats per token").to_dict() if curves else None)
            self._views[key] = (mark, built)
            self._views.move_to_end(key)
            while len(self._views) > self.kept_views:
                self._views.popitem(last=False)
            self.rebuilds += 1
            return built


def _progress_mark(shared: SharedTraining, seats: list[Seat]) -> tuple:
    snapshot = shared.job.snapshot(seen=False)
    privacy = tuple((seat.name, seat.cancelled, seat.asker.private) for seat in seats)
    return shared.number, snapshot.state, len(snapshot.epochs), privacy


BOARD = ClassBoard()

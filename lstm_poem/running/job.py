"""Run :func:`~lstm_poem.training.train.train` on a background thread that a UI can poll.

The training thread only ever writes plain records into the job under a lock;
a page reads them with :meth:`TrainingJob.snapshot` as often as it likes. A
click, a rerun or a page switch in the UI cannot touch the thread, and nothing
UI-related ever runs on it.

This is the embedded backend behind :mod:`lstm_poem.running.backend`; the Ray backend
(:mod:`lstm_poem.running.ray_backend`) reuses the same record keeping and snapshot.
"""

from __future__ import annotations

import heapq
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from lstm_poem import limits
from lstm_poem.checks import ConfigError
from lstm_poem.network.model import ModelConfig, PoemModel
from lstm_poem.text.corpus import Corpus, CorpusError
from lstm_poem.training.records import BatchRecord, EpochRecord, ProgressRecord
from lstm_poem.training.result import TrainResult
from lstm_poem.training.train import train
from lstm_poem.training.train_config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class _Turn:
    """A training holding a slot: its group, when it started and must end at the latest, and how to end it early."""

    group: str | None
    started: float
    ends_by: float
    give_way: Callable[[], None]
    giving_way: bool = False


class TrainingSlots:
    """A cap on trainings running at once in this process, shared by every user, taken in turns by class.

    On a small shared CPU two trainings already split the cores; a tenth would
    make all ten crawl. Later jobs wait in the "queued" state until a slot frees,
    so each can be told its place in the line and a rough wait (every training
    ends by its time limit at the latest).

    One public server holds several classes, so the line is not simply first
    come first served: a free slot goes to the first waiting training of the
    group (a class's code; None for students in no class) with the fewest
    trainings running. And when a class waits while another group holds more
    slots than it does, that group's longest-running training gives way once it
    has had its turn: it stops at its next batch, keeping its best weights, as
    if its student had pressed Stop. A class's turn is ``turn_seconds``; a
    training of students in no class has a shorter one, ``stranger_turn_seconds``
    (a few epochs of a small model), and never makes a class's training give
    way: a stranger with the link cannot hold a lesson's slots.
    """

    def __init__(
        self,
        size: int,
        turn_seconds: float = limits.CLASS_TURN_SECONDS,
        stranger_turn_seconds: float = limits.STRANGER_TURN_SECONDS,
    ):
        self.size = max(1, size)
        self.turn_seconds = turn_seconds
        self.stranger_turn_seconds = stranger_turn_seconds
        self._running: dict[object, _Turn] = {}
        self._waiting: list[tuple[object, float, str | None]] = []  # (holder, time limit, group), by arrival
        self._changed = threading.Condition()

    @property
    def busy(self) -> int:
        with self._changed:
            return len(self._running)

    def acquire(
        self,
        holder: object,
        stop: threading.Event,
        give_up: Callable[[], bool] = lambda: False,
        time_limit: float | None = None,
        group: str | None = None,
        give_way: Callable[[], None] = lambda: None,
    ) -> bool:
        """Wait in line for a free slot; give up (False) as soon as ``stop`` is set or ``give_up()`` says so.
        ``give_way`` is called (once) when the training must end early to let another class have its turn."""
        limit = math.inf if time_limit is None else time_limit
        with self._changed:
            self._waiting.append((holder, limit, group))
            try:
                while len(self._running) >= self.size or self._in_order()[0][0] is not holder:
                    if stop.is_set() or give_up():
                        return False
                    self._ask_for_a_turn(group)
                    self._changed.wait(0.2)
                now = time.monotonic()
                self._running[holder] = _Turn(group, now, now + limit, give_way)
                return True
            finally:
                self._waiting = [waiting for waiting in self._waiting if waiting[0] is not holder]
                self._changed.notify_all()

    def release(self, holder: object) -> None:
        with self._changed:
            self._running.pop(holder, None)
            self._changed.notify_all()

    def turn(self, group: str | None) -> float:
        """Seconds a training of ``group`` runs before it can be asked to give way."""
        return self.turn_seconds if group is not None else self.stranger_turn_seconds

    def _holding(self, group: str | None) -> int:
        """Slots ``group`` holds, not counting trainings already giving way."""
        return sum(1 for turn in self._running.values() if turn.group == group and not turn.giving_way)

    def _in_order(self) -> list[tuple[object, float, str | None]]:
        """The waiting trainings in the order they will get slots: fewest running in their group first,
        then by arrival (a stable sort)."""
        return sorted(self._waiting, key=lambda waiting: self._holding(waiting[2]))

    def _ask_for_a_turn(self, group: str | None) -> None:
        """No slot is free for a training of class ``group``: the longest-running training that has had its
        turn, of a group holding more slots, gives way (one at a time)."""
        if group is None or len(self._running) < self.size:
            return
        if any(turn.giving_way for turn in self._running.values()):
            return  # a slot is about to free: one at a time, and the free slot goes to the class with fewest
        mine, now = self._holding(group), time.monotonic()
        ready = [
            turn
            for turn in self._running.values()
            if not turn.giving_way and now - turn.started >= self.turn(turn.group) and self._holding(turn.group) > mine
        ]
        if ready:
            turn = min(ready, key=lambda turn: turn.started)
            turn.giving_way = True
            turn.give_way()

    def place(self, holder: object) -> tuple[int, float | None] | None:
        """Where a waiting holder stands: (1-based place in line, the longest it should wait in seconds,
        or None when some training ahead has no time limit); None when it is not waiting."""
        with self._changed:
            ahead = []
            for other, limit, _ in self._in_order():
                if other is holder:
                    break
                ahead.append(limit)
            else:
                return None
            now = time.monotonic()
            # Slots free up when trainings end; each one ahead in line then holds the slot it takes.
            frees = [max(turn.ends_by - now, 0.0) for turn in self._running.values()]
            frees += [0.0] * (self.size - len(self._running))
            heapq.heapify(frees)
            for limit in ahead:
                heapq.heappush(frees, heapq.heappop(frees) + limit)
            wait = frees[0]
            return len(ahead) + 1, (None if math.isinf(wait) else wait)


SLOTS = TrainingSlots(limits.MAX_CONCURRENT_TRAININGS)

# Per-batch points kept for the faint training-loss curve; older ones are thinned out.
MAX_BATCH_POINTS = 2000


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's progress at one moment."""

    state: str  # "pending" | "queued" | "running" | "done" | "failed" | "cancelled"
    epochs: tuple[EpochRecord, ...]
    batches: tuple[BatchRecord, ...]
    result: TrainResult | None
    error: str | None
    elapsed: float
    stop_requested: bool
    abandoned: bool  # stopped because nobody looked at it for a while (its tab was closed)
    gave_way: bool  # stopped after its turn so that another class's waiting training could start
    queue_place: tuple[int, float | None] | None  # while queued: place in line, longest wait (s) if known
    model_config: ModelConfig
    train_config: TrainConfig
    cluster_cpus: int | None = None  # None: trains in this server; else the CPUs of the Ray cluster it waits for
    classmates: int = 0  # others of the same class seated at this same training (see lstm_poem.running.sharing)
    left: bool = False  # this asker pressed Stop and left a training that goes on for the others
    time_note: str | None = None  # why its time limit is shorter than asked (a long queue; see sharing)

    @property
    def training(self) -> bool:
        """The training itself is waiting or running (whoever is watching it)."""
        return self.state in ("pending", "queued", "running")

    @property
    def running(self) -> bool:
        """Still training for this asker: one who left is free to train something else."""
        return self.training and not self.left

    @property
    def last_batch(self) -> BatchRecord | None:
        return self.batches[-1] if self.batches else None


def score_for_table(result: TrainResult, corpus: Corpus) -> None:
    """Set ``result.table_bits_per_char``, once per training, however many students share it: a word model's
    held-out text is read again (as long as an epoch's evaluation), a character model's is as reported."""
    from lstm_poem.measuring.scoring import run_bits_per_char

    training = result.train_config
    result.table_bits_per_char = run_bits_per_char(
        result.poem, corpus.text, training.seq_len, training.val_fraction, result.val_bits_per_char
    )


class TrainingJob:
    """One training run on a daemon thread, with a stop button and a locked snapshot.

    Every :meth:`snapshot` counts as a sign that someone is still watching (the
    app's pages poll it every second or two while it runs). A job nobody has
    looked at for ``abandon_after`` seconds, because its browser tab was
    closed, stops by itself and frees its training slot.
    """

    def __init__(
        self,
        corpus: Corpus,
        model_config: ModelConfig,
        train_config: TrainConfig,
        slots: TrainingSlots = SLOTS,
        init_from: PoemModel | None = None,
        abandon_after: float | None = limits.ABANDONED_TRAINING_SECONDS,
        group: str | None = None,
    ):
        self.corpus = corpus
        self.slots = slots
        self.init_from = init_from  # fine-tune this model (read only: train() builds a new network)
        self.model_config = init_from.config if init_from is not None else model_config
        self.train_config = train_config
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._state = "pending"
        self._epochs: list[EpochRecord] = []
        self._batches: list[BatchRecord] = []
        self._result: TrainResult | None = None
        self._error: str | None = None
        self._started = 0.0
        self._finished: float | None = None
        self.abandon_after = abandon_after
        self._last_seen = time.monotonic()
        self._abandoned = False
        self.group = group  # whose turn it takes in the slots: a class's code, or None for no class
        self._gave_way = False
        self._thread = threading.Thread(target=self._run, name="lstm-poem-training", daemon=True)

    def start(self) -> TrainingJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask training to stop after the current batch (the best weights are kept),
        or not to start at all if it is still waiting for a slot."""
        self._stop.set()

    def cancel(self) -> None:
        """Drop the training and its result. A thread cannot be killed, so here it ends at the next
        batch and its memory is freed then; the Ray backend ends its process at once."""
        self._cancel.set()
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; return True when it has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _nobody_watching(self) -> bool:
        """True (and the job told to stop) once no snapshot was taken for ``abandon_after`` seconds."""
        if self.abandon_after is not None and time.monotonic() - self._last_seen > self.abandon_after:
            self._abandoned = True
            self._stop.set()
        return self._abandoned

    def _give_way(self) -> None:
        """Called by the slots: end after the current batch, keeping the best weights, for another class."""
        self._gave_way = True
        self._stop.set()

    def _cluster_cpus(self) -> int | None:
        return None

    def snapshot(self, seen: bool = True) -> JobSnapshot:
        """Its progress so far; with ``seen``, also a sign that someone is watching it."""
        cluster_cpus = self._cluster_cpus()
        with self._lock:
            if seen:
                self._last_seen = time.monotonic()
            end = self._finished if self._finished is not None else time.perf_counter()
            return JobSnapshot(
                state=self._state,
                epochs=tuple(self._epochs),
                batches=tuple(self._batches),
                result=self._result,
                error=self._error,
                elapsed=end - self._started if self._started else 0.0,
                stop_requested=self._stop.is_set(),
                abandoned=self._abandoned,
                gave_way=self._gave_way,
                queue_place=self.slots.place(self) if self._state == "queued" else None,
                model_config=self.model_config,
                train_config=self.train_config,
                cluster_cpus=cluster_cpus,
            )

    def _record(self, record: ProgressRecord) -> None:
        self._nobody_watching()
        with self._lock:
            if isinstance(record, EpochRecord):
                self._epochs.append(record)
            else:
                self._batches.append(record)
                if len(self._batches) > MAX_BATCH_POINTS:
                    # Keep every other old point: the faint curve keeps its shape at half the cost.
                    self._batches = self._batches[: MAX_BATCH_POINTS // 2 : 2] + self._batches[MAX_BATCH_POINTS // 2 :]

    def _run(self) -> None:
        with self._lock:
            self._state = "queued"
        acquired = self.slots.acquire(
            self, self._stop, self._nobody_watching, self.train_config.time_limit, self.group, self._give_way
        )
        if not acquired:
            self._finish("cancelled", error="Stopped before it started.")
            return
        with self._lock:
            self._state = "running"
            self._started = time.perf_counter()
        try:
            result = train(
                self.corpus, self.model_config, self.train_config, self._record, self._stop, init_from=self.init_from
            )
            score_for_table(result, self.corpus)  # still holding the slot: scoring a word model is training work
        except (CorpusError, ConfigError) as err:
            self._finish("failed", error=str(err))
        except Exception as err:  # noqa: BLE001 - the error must reach the UI, not vanish with the thread
            log.exception("training failed")
            self._finish("failed", error=f"Training failed unexpectedly ({type(err).__name__}: {err}).")
        else:
            self._finish("done", result=result)
        finally:
            self.slots.release(self)

    def _finish(self, state: str, result: TrainResult | None = None, error: str | None = None) -> None:
        if self._cancel.is_set() and state != "failed":
            state, result, error = "cancelled", None, "Cancelled: this training was dropped."
        with self._lock:
            self._state = state
            self._result = result
            self._error = error
            self._finished = time.perf_counter()

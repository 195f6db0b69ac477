"""Identical trainings are one training: a server trains each distinct request once and seats every asker.

A class presses Train on the same corpus, preset and seed, and the result is
decided by those alone, so thirty copies would be thirty times the work for
one model. :class:`TrainingRegistry` keys every request by everything that
decides its result (:func:`training_key`) and gives each asker a
:class:`Seat`: a :class:`~lstm_poem.running.backend.TrainingHandle` of their own on
the one shared training. The rules a seat follows (docs/classroom.md):

- A request that matches a training that is waiting, running, or finished on
  its own terms (early stopping, its time limit, its last epoch) within the
  last hour joins it. One stopped by hand or abandoned is not reused: its model
  is not what those settings make.
- **Stop** by the last one watching stops the training now, keeping the best
  weights, as a training of one's own does. Anyone else who presses it leaves:
  the training goes on for the others, and its model still becomes the
  leaver's run when it ends.
- **Cancel** leaves and drops the run. The training itself is cancelled only
  when no other seat is left on it.
- A closed tab stops polling: its seat no longer counts as watching, and a
  training nobody watches stops by itself (the job's abandoned-tab rule).
- Finished trainings that can be joined are remembered for ``KEEP_SECONDS``,
  while their models fit in ``limits.MAX_KEPT_TRAINING_BYTES`` (the newest
  kept first; bytes, not a count, since one model may weigh a thousand
  others). The rest are forgotten as soon as they end: their models live only
  in the sessions of the students who asked for them.
- At most ``limits.MAX_QUEUED_TRAININGS`` new trainings wait for a slot per
  group (a class, or the whole server); one more is refused with a
  :class:`QueueFull` that says why. Joining one already there is never
  refused: it costs nothing. Past ``limits.QUEUE_SHRINKS_AFTER`` waiting, a
  new training's time limit shrinks, and its seats are told why.

A teacher who wants every student to train their own (to see that the same
seed gives the same model twice, say) sets ``LSTM_POEM_SHARE_IDENTICAL_TRAININGS=0``.

Every seat knows who asked (:class:`Asker`): their browser, their class, the
name they typed and whether their text is their own. A training is shared by
the whole server, but what the class board shows of it is counted per class
(lstm_poem/teaching/class_board.py): students of one class never see those of
another at the same training, and an uploaded or pasted text shows no name and
no verse unless its student asked for that.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from lstm_poem import limits
from lstm_poem.running.backend import TrainingBackend, TrainingHandle, TrainingRequest
from lstm_poem.running.backend_choice import current_backend
from lstm_poem.running.job import JobSnapshot

# How long a finished training stays on the class board and can be joined.
KEEP_SECONDS = 3600.0
# Longest name a student may show on the class board.
MAX_NAME_CHARS = 40
# Stop reasons of a training that ran on its own terms: its model is what its settings make.
REUSABLE_ENDINGS = ("early_stopping", "time_limit", "max_epochs")


def model_fingerprint(poem) -> str:
    """A digest of a model's weights and vocabulary: two bases with the same digest start the same training."""
    digest = hashlib.sha256(json.dumps(poem.tokenizer.to_dict(), sort_keys=True).encode())
    for array in poem.network.get_weights():
        digest.update(str(array.shape).encode() + array.tobytes())
    return digest.hexdigest()


def training_key(request: TrainingRequest) -> str:
    """Everything that decides a training's result, as one digest: the corpus (name and text), every
    model and training setting (the seed among them) and the weights it starts from."""
    described = {
        "corpus": request.corpus.name,
        "text": hashlib.sha256(request.corpus.text.encode("utf-8", "surrogatepass")).hexdigest(),
        "model": request.model_config.to_dict(),
        "training": request.train_config.to_dict(),
        "base": model_fingerprint(request.init_from) if request.init_from is not None else None,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


class QueueFull(Exception):
    """Too many trainings already wait for a slot in this group: the message says so, in words."""


def shrunk_time_limit(asked: float | None, waiting: int) -> float | None:
    """The time limit a new training gets with ``waiting`` trainings ahead of it in line: what was asked,
    until the line is longer than ``limits.QUEUE_SHRINKS_AFTER``; then the server's longest, shared out
    among those waiting (never under ``limits.MIN_SHRUNK_TRAINING_SECONDS``)."""
    if waiting <= limits.QUEUE_SHRINKS_AFTER:
        return asked
    share = limits.MAX_TRAINING_SECONDS * limits.QUEUE_SHRINKS_AFTER / waiting
    shrunk = float(max(limits.MIN_SHRUNK_TRAINING_SECONDS, int(share)))
    return shrunk if asked is None or shrunk < asked else asked


def clean_name(name: str) -> str:
    """A name for the class board: printable characters only, at most ``MAX_NAME_CHARS``.
    (The board draws it as plain text, never as HTML or Markdown.)"""
    return "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_NAME_CHARS]


@dataclass(frozen=True)
class Asker:
    """Who asked for a training, as far as the class board and the server's limits need to know."""

    visitor: str = ""  # the asking browser's token: a student in no class sees the rows of their own seats only
    class_code: str = ""  # the class they are in ("" for none): the board and seat counts are per class
    name: str = ""  # what they typed for the class board ("" for nothing)
    own_text: bool = False  # the corpus was uploaded or pasted: no name and no verse on the board…
    show_verse: bool = False  # …unless they ticked "show my verse on the class board"

    @property
    def private(self) -> bool:
        """Is the corpus's name and verse kept off the board?"""
        return self.own_text and not self.show_verse


@dataclass
class SharedTraining:
    """One training and everyone seated at it."""

    key: str
    job: TrainingHandle
    asked_at: float  # time.time() of the first request
    number: int  # 1, 2, 3 … in order of first request on this server
    seats: list[Seat] = field(default_factory=list)
    groups: set[str | None] = field(default_factory=set)  # the groups (classes) its seats came from
    time_note: str | None = None  # why its time limit is shorter than asked (a long queue), for its seats

    def waiting(self) -> bool:
        return self.job.snapshot(seen=False).state in ("pending", "queued")

    def kept_bytes(self) -> int:
        """Memory its finished model holds (0 while it trains: running ones are always kept)."""
        snapshot = self.job.snapshot(seen=False)
        return snapshot.result.poem.weight_bytes if snapshot.result is not None else 0

    def watching(self, besides: Seat | None = None) -> int:
        """Seats still watching (not left, their page polled lately), ``besides`` not counted."""
        now = time.monotonic()
        return sum(1 for seat in self.seats if seat is not besides and seat.watching(now))

    def names(self, seats: list[Seat] | None = None) -> list[str]:
        """The names typed by ``seats`` (all of them by default) that have not dropped the run."""
        return [seat.name for seat in (self.seats if seats is None else seats) if seat.name and not seat.cancelled]

    def seats_in(self, class_code: str) -> list[Seat]:
        """The seats of one class's students."""
        return [seat for seat in self.seats if seat.class_code == class_code]

    def reusable(self) -> bool:
        """Can a new request join it?"""
        snapshot = self.job.snapshot(seen=False)
        if snapshot.training:
            return not snapshot.stop_requested
        return snapshot.state == "done" and snapshot.result.stop_reason in REUSABLE_ENDINGS


class Seat:
    """One student's place at a shared training: their own handle, with their own Stop."""

    def __init__(self, training: SharedTraining, abandon_after: float | None, asker: Asker | None = None):
        self.training = training
        self.model_config = training.job.model_config
        self.train_config = training.job.train_config
        self.corpus = training.job.corpus
        self.abandon_after = abandon_after
        asker = asker or Asker()
        self.asker = replace(asker, name=clean_name(asker.name))
        self.name = self.asker.name
        self.class_code = asker.class_code  # the class this seat counts in (a per-class limit reads it here)
        self.left = False
        self.cancelled = False
        self._last_seen = time.monotonic()

    def watching(self, now: float) -> bool:
        recent = self.abandon_after is None or now - self._last_seen <= self.abandon_after
        return not self.left and recent

    def snapshot(self, seen: bool = True) -> JobSnapshot:
        """The shared training's progress; a watching seat's poll also keeps it alive."""
        seen = seen and not self.left
        if seen:
            self._last_seen = time.monotonic()
        snapshot = self.training.job.snapshot(seen=seen)
        if self.left and self.cancelled and snapshot.state not in ("failed", "cancelled"):  # goes on for others
            snapshot = replace(snapshot, state="cancelled", result=None, error="Cancelled: you left this training.")
        return replace(
            snapshot, classmates=self._classmates(), left=self.left, time_note=self.training.time_note
        )

    def _classmates(self) -> int:
        """Other seats of this seat's class at the training (a stranger's, from another class or none, not counted)."""
        if not self.class_code:
            return 0
        return sum(1 for seat in self.training.seats_in(self.class_code) if seat is not self)

    def stop(self) -> None:
        """Leave while others watch (it goes on for them); the last one watching stops it for real."""
        if self.training.watching(besides=self):
            self.left = True
        else:
            self.training.job.stop()

    def cancel(self) -> None:
        """Drop this run; the training itself is cancelled only when no other seat is left on it."""
        others = [seat for seat in self.training.seats if seat is not self and not seat.cancelled]
        self.cancelled = True
        if not others:
            self.training.job.cancel()
            return
        self.left = True
        if not self.training.watching(besides=self):
            self.training.job.stop()

    def join(self, timeout: float | None = None) -> bool:
        return self.training.job.join(timeout)


class TrainingRegistry:
    """Every training of this server: identical requests seated at one, finished ones kept a while."""

    def __init__(
        self,
        backend: Callable[[], TrainingBackend],
        keep_seconds: float = KEEP_SECONDS,
        max_kept_bytes: int | None = None,
        max_queued: int | None = None,
    ):
        self._backend = backend  # asked at each submit, so a teacher's backend setting applies at once
        self.keep_seconds = keep_seconds
        self.max_kept_bytes = limits.MAX_KEPT_TRAINING_BYTES if max_kept_bytes is None else max_kept_bytes
        self.max_queued = limits.MAX_QUEUED_TRAININGS if max_queued is None else max_queued
        self._trainings: dict[str, SharedTraining] = {}
        self._count = 0
        self._lock = threading.Lock()

    def submit(self, request: TrainingRequest, asker: Asker | None = None) -> Seat:
        """A seat for ``asker`` at the training ``request`` describes: an existing one if it can be joined,
        else a new one.

        The asker's class is whose queue a new training joins (a student in no class joins the whole
        server's). A new training beyond ``max_queued`` waiting in that group raises :class:`QueueFull`.
        """
        key = training_key(request)  # outside the lock: a base model's weights take a moment to digest
        group = (asker.class_code or None) if asker is not None else None  # a class's own queue
        with self._lock:
            self._forget_old()
            if not limits.SHARE_IDENTICAL_TRAININGS:  # a teacher's choice: everyone trains their own
                key = f"{key}-{self._count + 1}"
            shared = self._trainings.get(key)
            if shared is None or not shared.reusable():
                shared = self._start(key, request, group)
            shared.groups.add(group)
            seat = Seat(shared, request.abandon_after, asker)
            shared.seats.append(seat)
            return seat

    def waiting(self, group: str | None = None) -> int:
        """Trainings waiting for a slot in ``group`` (every one on the server for None)."""
        with self._lock:
            return self._waiting(group)

    def _waiting(self, group: str | None) -> int:
        return sum(1 for s in self._trainings.values() if (group is None or group in s.groups) and s.waiting())

    def _start(self, key: str, request: TrainingRequest, group: str | None) -> SharedTraining:
        waiting = self._waiting(group)
        if waiting >= self.max_queued:
            raise QueueFull(
                f"{waiting} trainings are already waiting for a free slot here, the most this server lets wait "
                "at once. Try again when one has started, or join a classmate's identical training."
            )
        asked = request.train_config.time_limit
        limit = shrunk_time_limit(asked, waiting)
        note = None
        if limit != asked:
            request = replace(request, train_config=replace(request.train_config, time_limit=limit))
            note = (
                f"{waiting} trainings were waiting for a slot when this one was asked for, so it trains for at most "
                f"{limit:.0f} s instead of {asked:.0f} s: everyone in line gets a turn within minutes."
                if asked is not None
                else f"{waiting} trainings were waiting, so it trains for at most {limit:.0f} s."
            )
        self._count += 1
        request = replace(request, group=group)  # whose turn its slot counts in (TrainingSlots)
        shared = SharedTraining(key, self._backend().submit(request), time.time(), self._count, time_note=note)
        self._trainings[key] = shared
        return shared

    def recent(self) -> list[SharedTraining]:
        """The trainings of the last ``keep_seconds``, oldest first."""
        with self._lock:
            self._forget_old()
            return sorted(self._trainings.values(), key=lambda shared: shared.number)

    def _forget_old(self) -> None:
        """Forget trainings nobody can join any more (stopped by hand, abandoned, cancelled, failed: their
        models go with their students' sessions) and, beyond the byte budget, the oldest finished ones."""
        now = time.time()
        finished = []
        for key, shared in list(self._trainings.items()):
            if shared.job.snapshot(seen=False).training:
                continue
            if now - shared.asked_at > self.keep_seconds or not shared.reusable():
                del self._trainings[key]
            else:
                finished.append((shared.number, key, shared.kept_bytes()))
        kept = 0
        for _, key, size in sorted(finished, reverse=True):  # newest first: they keep their places
            if kept + size > self.max_kept_bytes:
                del self._trainings[key]
            else:
                kept += size

    def kept_bytes(self) -> int:
        """Memory held by the finished trainings kept for joining (their models' weights)."""
        with self._lock:
            return sum(shared.kept_bytes() for shared in self._trainings.values())


REGISTRY = TrainingRegistry(current_backend)

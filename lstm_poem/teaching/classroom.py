"""Class rooms: a teacher starts a class, students join it by its code, and what a class shares stays in it.

One public app may serve two lessons at the same hour, and anyone with its
address may open it. A :class:`ClassRoom` holds what one lesson shares: which
board rows its teacher hid, its guessing game's total, the seed of its start
page's example poems; the board itself counts the seats of the class's own
students (lstm_poem/teaching/class_board.py). Nothing of one class is shown to
another, and a student in no class sees only their own runs.

There are no accounts. A student needs only the class's code, short enough to
type off a projector yet hard to guess (8 characters of a 32-letter alphabet:
2^40 codes, against at most ``MAX_CLASSES`` in use). The teacher's controls
(hide a row, end the class, count its students) need a secret that only the
session which started the class holds; the server keeps only its digest. A
class ends when its teacher ends it, ``CLASS_SECONDS`` after it started, or
once nobody in it has opened a page for ``CLASS_IDLE_SECONDS``; its code then
means nothing. The server holds at most ``MAX_CLASSES`` classes of at most
``MAX_CLASS_STUDENTS`` students each, so neither grows with what a stranger
sends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lstm_poem import limits
from lstm_poem.teaching.guessing import ClassTotals

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0 or 1: they are misread off a projector
CODE_LENGTH = 8
FIRST_EXAMPLE_SEED = 42  # the start page's first poems (ui/example_poems.py writes them before anyone asks)


class ClassError(ValueError):
    """A class that cannot be started, joined or changed; the message says why, for the page to show."""


def normal_code(typed: str) -> str:
    """A code as typed (any case, spaces or dashes between its halves) in the form the server keeps."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def is_code(code: str) -> bool:
    """Could ``code`` (normalised) be a class code at all?"""
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def shown_code(code: str) -> str:
    """A code as the projector shows it: two halves of four, easier to read aloud."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@dataclass
class ClassRoom:
    """One class: its code, its teacher's secret (as a digest), its students and what they share."""

    code: str
    teacher_digest: bytes = field(repr=False)
    started_at: float  # time.monotonic()
    last_active: float
    students: set[str] = field(default_factory=set)  # the browsers (visitor tokens) that joined
    hidden: set[int] = field(default_factory=set)  # board rows (training numbers) the teacher hid
    example_seed: int = FIRST_EXAMPLE_SEED
    ended: bool = False
    _totals: ClassTotals | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def is_teacher(self, secret: str | None) -> bool:
        """Does ``secret`` open this class's teacher controls?"""
        return bool(secret) and hmac.compare_digest(_digest(secret), self.teacher_digest)

    def _check_teacher(self, secret: str | None) -> None:
        if not self.is_teacher(secret):
            raise ClassError("Only the teacher who started this class can do that.")

    def student_count(self, secret: str | None) -> int:
        """How many browsers joined this class (teacher only)."""
        self._check_teacher(secret)
        with self._lock:
            return len(self.students)

    def hide_row(self, secret: str | None, number: int) -> None:
        """Take training ``number`` off this class's board (teacher only)."""
        self._check_teacher(secret)
        with self._lock:
            self.hidden.add(int(number))

    def admit(self, visitor: str, most: int) -> None:
        """Seat browser ``visitor`` (again, after a reload) unless the class already has ``most`` others."""
        with self._lock:
            if visitor not in self.students and len(self.students) >= most:
                raise ClassError(f"This class is full: it already has {most} students.")
            self.students.add(visitor)

    def hidden_rows(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self.hidden)

    def next_examples(self, secret: str | None) -> int:
        """Move the class's example poems on to the next seed, for every student (teacher only)."""
        self._check_teacher(secret)
        with self._lock:
            self.example_seed += 1
            return self.example_seed

    def guessing_totals(self, line_keys: Callable[[], Iterable[str]]) -> ClassTotals:
        """This class's pooled guesses, made at the first game (``line_keys``: the game's lines)."""
        with self._lock:
            if self._totals is None:
                self._totals = ClassTotals(list(line_keys()))
            return self._totals


class ClassRegistry:
    """The classes of this server: started, joined, ended, expired; never more than ``max_classes``."""

    def __init__(
        self,
        max_classes: int | None = None,
        max_students: int | None = None,
        class_seconds: float | None = None,
        idle_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        # None: read from lstm_poem.limits at each use, so a teacher's setting applies at once.
        self._max_classes = max_classes
        self._max_students = max_students
        self._class_seconds = class_seconds
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._classes: dict[str, ClassRoom] = {}
        self._lock = threading.Lock()

    @property
    def max_classes(self) -> int:
        return limits.MAX_CLASSES if self._max_classes is None else self._max_classes

    @property
    def max_students(self) -> int:
        return limits.MAX_CLASS_STUDENTS if self._max_students is None else self._max_students

    def start(self) -> tuple[ClassRoom, str]:
        """A new class and its teacher's secret (to be kept by the starting session alone)."""
        secret = secrets.token_urlsafe(32)
        with self._lock:
            self._forget_ended()
            if len(self._classes) >= self.max_classes:
                raise ClassError(
                    f"This server already holds {self.max_classes} classes, its most. Try again once one has "
                    "ended, or run the app on a computer of your own for this lesson."
                )
            code = self._new_code()
            now = self._clock()
            room = ClassRoom(code, _digest(secret), started_at=now, last_active=now)
            self._classes[code] = room
            return room, secret

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._classes:
                return code

    def find(self, code: str) -> ClassRoom | None:
        """The class with ``code`` while it lasts (None once ended or expired); a look counts as activity."""
        with self._lock:
            self._forget_ended()
            room = self._classes.get(normal_code(code))
            if room is not None:
                room.last_active = self._clock()
            return room

    def join(self, code: str, visitor: str) -> ClassRoom:
        """Seat browser ``visitor`` in the class with ``code``; a browser that joined before is let in again."""
        room = self.find(code)
        if room is None:
            typed = normal_code(code)
            named = f"the code {shown_code(typed)}" if is_code(typed) else "that code"  # never echo other text
            raise ClassError(
                f"No class has {named} now: check it on the teacher's screen. A class's code stops working "
                "when its class ends."
            )
        room.admit(visitor, self.max_students)
        return room

    def end(self, code: str, secret: str | None) -> None:
        """End a class now (teacher only): its code stops working and its students work alone."""
        with self._lock:
            room = self._classes.get(code)
            if room is None:
                return
            room._check_teacher(secret)
            room.ended = True
            del self._classes[code]

    def count(self) -> int:
        with self._lock:
            self._forget_ended()
            return len(self._classes)

    def _forget_ended(self) -> None:
        now = self._clock()
        lasts = limits.CLASS_SECONDS if self._class_seconds is None else self._class_seconds
        idle = limits.CLASS_IDLE_SECONDS if self._idle_seconds is None else self._idle_seconds
        for code, room in list(self._classes.items()):
            if now - room.started_at > lasts or now - room.last_active > idle:
                room.ended = True
                del self._classes[code]


CLASSES = ClassRegistry()

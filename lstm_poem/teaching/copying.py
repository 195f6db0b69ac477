"""Did the model write this, or copy it? Find every stretch of a poem that occurs word for word in a training text.

A :class:`CopyIndex` is built once per training text. It hashes windows of
``window = min_length - stride + 1`` characters that start at every
``stride``-th position of the text, and keeps the hashes sorted beside their
positions. A stretch of a poem at least ``min_length`` characters long that
occurs anywhere in the text must contain one of those sampled windows (one of
any ``stride`` consecutive starts is sampled), so looking up every window of
the poem finds each such stretch; each hit is then checked against the text
itself and grown left and right to its full length. No false positives (the
text decides, not the hash), no misses, and the index holds only
``len(text) / stride`` entries: 12 bytes each beside the text.

The poem's windows are hashed together in NumPy and looked up with one
``searchsorted``, so a check costs well under a millisecond per hundred
characters (bench/copy_detector.py measures it against the 18 MB of verse).
"""

from __future__ import annotations

import hashlib
import sys
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Shortest stretch counted as copied: the shortest length at which verse the index does not hold stops
# matching by chance in common phrases such as "and in the midst of the" (bench/copy_detector.py
# choose-length; the figures are in docs/lessons.md, "Why 24 characters").
MIN_COPY_LENGTH = 24
STRIDE = 8  # every 8th window of the text is indexed: 1/8 of the memory, and still no stretch is missed
_BASE = np.uint64(1_000_003)  # polynomial hash over code points, wrapping mod 2**64
_CHUNK = 1 << 20  # characters hashed at a time while building, so building an 18 MB index stays small
_MOST_CANDIDATES = 64  # places checked per hashed window (a refrain may occur hundreds of times)
_SOURCE_LINE_CHARS = 200


@dataclass(frozen=True)
class CopiedStretch:
    """A stretch of the checked text that occurs word for word in a training text."""

    start: int  # in the checked text
    end: int
    source: str  # the training text's name
    source_line: str  # the training text's line(s) where the stretch occurs

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class CopyReport:
    """Which characters of a text were copied, and from where."""

    stretches: list[CopiedStretch]  # in order, not overlapping
    chars: int  # characters checked

    @property
    def copied_chars(self) -> int:
        return sum(stretch.length for stretch in self.stretches)

    @property
    def share(self) -> float:
        """Share of the checked characters that lie in a copied stretch (0 for no text)."""
        return self.copied_chars / self.chars if self.chars else 0.0


class CopyIndex:
    """The sampled window hashes of one training text; built once, then read by any number of threads."""

    def __init__(self, text: str, name: str, min_length: int = MIN_COPY_LENGTH, stride: int = STRIDE):
        if not 1 <= stride <= min_length // 2:
            raise ValueError(f"stride must be between 1 and half of min_length ({min_length // 2})")
        self.text = text
        self.name = name
        self.min_length = min_length
        self.stride = stride
        self.window = min_length - stride + 1
        hashes, positions = [], []
        last_start = len(text) - self.window  # the last position a whole window fits at
        for begin in range(0, max(last_start + 1, 0), _CHUNK):
            starts = np.arange(begin, min(begin + _CHUNK, last_start + 1), stride, dtype=np.int64)
            piece = _codes(text[begin : begin + _CHUNK + self.window])
            hashes.append(_window_hashes(piece, starts - begin, self.window))
            positions.append(starts.astype(np.uint32))
        hashes_all = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
        order = np.argsort(hashes_all, kind="stable")
        self.hashes = hashes_all[order]
        self.positions = (np.concatenate(positions) if positions else np.zeros(0, np.uint32))[order]

    @property
    def nbytes(self) -> int:
        """Memory of the index beside the text itself."""
        return self.hashes.nbytes + self.positions.nbytes

    def find(self, text: str) -> list[CopiedStretch]:
        """Every maximal stretch of ``text``, at least ``min_length`` long, that occurs in this training text
        (stretches from different places may overlap)."""
        if len(text) < self.min_length or not len(self.hashes):
            return []
        starts = np.arange(len(text) - self.window + 1, dtype=np.int64)
        hashes = _window_hashes(_codes(text), starts, self.window)
        low = np.searchsorted(self.hashes, hashes, side="left")
        high = np.searchsorted(self.hashes, hashes, side="right")
        found: list[CopiedStretch] = []
        covered_to = 0  # a window inside a stretch already found adds nothing new from the same place
        for i in np.flatnonzero(high > low).tolist():
            if i + self.window <= covered_to:
                continue
            for place in self.positions[low[i] : min(high[i], low[i] + _MOST_CANDIDATES)].tolist():
                stretch = self._grow(text, i, place)
                if stretch is not None:
                    found.append(stretch)
                    covered_to = max(covered_to, stretch.end)
        return found

    def _grow(self, text: str, at: int, place: int) -> CopiedStretch | None:
        """The whole stretch around a window of ``text`` at ``at`` that matched the training text at ``place``."""
        window = self.window
        if text[at : at + window] != self.text[place : place + window]:
            return None  # two different windows with one hash
        right = _common_length(text, at + window, self.text, place + window, forward=True)
        left = _common_length(text, at, self.text, place, forward=False)
        start, end = at - left, at + window + right
        if end - start < self.min_length:
            return None
        return CopiedStretch(start, end, self.name, self._line_at(place - left, end - start))

    def _line_at(self, place: int, length: int) -> str:
        begin = self.text.rfind("\n", 0, place) + 1
        stop = self.text.find("\n", place + length - 1)
        line = self.text[begin : stop if stop >= 0 else len(self.text)]
        return line if len(line) <= _SOURCE_LINE_CHARS else line[: _SOURCE_LINE_CHARS - 1] + "…"


def check_copying(text: str, indexes: Sequence[CopyIndex], skip: int = 0) -> CopyReport:
    """Which characters of ``text[skip:]`` lie in a stretch copied from any of ``indexes``.

    The whole ``text`` is searched (a poem's seed and its first words can make one
    copied line together), but only what follows ``skip`` is counted and returned,
    with positions counted from ``skip``.
    """
    found = [stretch for index in indexes for stretch in index.find(text)]
    found.sort(key=lambda s: (s.start, -s.end))
    merged: list[CopiedStretch] = []
    for stretch in found:
        start, end = max(stretch.start, skip) - skip, stretch.end - skip
        if end <= start:
            continue
        if merged and start < merged[-1].end:
            if end <= merged[-1].end:
                continue  # inside one already kept
            start = merged[-1].end  # the longer reach of an overlapping one
        merged.append(CopiedStretch(start, end, stretch.source, stretch.source_line))
    return CopyReport(merged, max(len(text) - skip, 0))


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _window_hashes(codes: np.ndarray, starts: np.ndarray, window: int) -> np.ndarray:
    """The polynomial hash of ``codes[s : s + window]`` for every ``s`` in ``starts``."""
    hashes = np.zeros(len(starts), dtype=np.uint64)
    for offset in range(window):
        hashes = hashes * _BASE + codes[starts + offset].astype(np.uint64)
    return hashes


def _common_length(a: str, a_at: int, b: str, b_at: int, forward: bool) -> int:
    """How many characters ``a`` and ``b`` share going forward from (or back before) the two positions.

    Galloping over slices: a few string comparisons in C instead of a Python loop per character."""
    room = min(len(a) - a_at, len(b) - b_at) if forward else min(a_at, b_at)

    def same(n: int) -> bool:
        if forward:
            return a[a_at : a_at + n] == b[b_at : b_at + n]
        return a[a_at - n : a_at] == b[b_at - n : b_at]

    good, step = 0, 16
    while good < room:
        trial = min(good + step, room)
        if same(trial):
            good, step = trial, step * 2
        elif step == 1:
            break
        else:
            step //= 2
    return good


class CopyIndexCache:
    """The indexes of texts students trained on, shared by the sessions that use them, bounded in bytes.

    A student's text is theirs: each session asks through a :class:`CopyLease`, and once no lease on a
    text is left (the last session using it ended, and its lease was collected with its state) the
    text and its index leave the server. Past ``max_bytes`` (each entry's text and index, measured) the
    least recently used go first; one asked for again is rebuilt (in about a second for a megabyte).
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, CopyIndex] = OrderedDict()  # least recently used first
        self._users: dict[str, set[str]] = {}  # entry key -> the leases that asked for it
        self._lock = threading.Lock()

    def lease(self) -> CopyLease:
        return CopyLease(self)

    def index(self, text: str, name: str, user: str) -> CopyIndex:
        key = hashlib.sha256(f"{name}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self._users[key].add(user)
                return found
        built = CopyIndex(text, name)  # outside the lock: a big text takes a moment
        with self._lock:
            built = self._entries.setdefault(key, built)
            self._entries.move_to_end(key)
            self._users.setdefault(key, set()).add(user)
            while self.nbytes > self.max_bytes and len(self._entries) > 1:
                oldest = next(iter(self._entries))
                del self._entries[oldest], self._users[oldest]
        return built

    def release(self, user: str) -> None:
        """Forget one session's use; every text no session uses any more leaves at once."""
        with self._lock:
            for key in list(self._entries):
                self._users[key].discard(user)
                if not self._users[key]:
                    del self._entries[key], self._users[key]

    @property
    def nbytes(self) -> int:
        """Memory of the texts and indexes held (each text counted once, as it lives in this cache)."""
        return sum(entry_bytes(index) for index in self._entries.values())

    def texts(self) -> list[str]:
        with self._lock:
            return [index.text for index in self._entries.values()]


def entry_bytes(index: CopyIndex) -> int:
    return index.nbytes + sys.getsizeof(index.text)


class CopyLease:
    """One session's hold on the texts it checked against: collected with the session, it releases them."""

    def __init__(self, cache: CopyIndexCache):
        self.user = uuid.uuid4().hex
        self._cache = cache
        weakref.finalize(self, cache.release, self.user)

    def index(self, text: str, name: str) -> CopyIndex:
        return self._cache.index(text, name, self.user)

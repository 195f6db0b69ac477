"""You against the model: guess the next character of a line of verse neither of you has read.

Shannon's guessing method (C. E. Shannon, "Prediction and Entropy of Printed
English", Bell System Technical Journal 30 (1951), pp. 50-64): a reader guesses
each next character until right, and only the number of guesses is kept. An
identical twin of the reader, guessing in the same order, could rebuild the
text from those numbers alone, so the entropy of their frequencies is an upper
bound on the text's information per character; Shannon also gives a lower
bound from the same frequencies. The model is scored the same way: its number
of guesses is the rank of the right character among its odds.

Guesses ignore case by Unicode case folding (Shannon's readers used 26 letters
and a space), so "Σ", "σ" and "ς" are one guess; the model's odds for "T" and
"t" are added together to match. Scripts without case are compared as they are.
A guess is one user-perceived character (see :mod:`lstm_poem.text.graphemes`):
a Hindi syllable or a letter with a combining accent is guessed whole. The
model's odds for such a grapheme are the product of its code points' odds, and
its number of guesses counts one for each wrong code point on the way (it names
the letter first, then its marks). The held-out lines come from the last tenth
of each sample corpus, which no shipped model trained on.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from lstm_poem.measuring.scoring import split_at_stanza
from lstm_poem.text.corpus import catalog
from lstm_poem.text.graphemes import graphemes

LINES_PER_CORPUS = 2
LINE_CHARS = (24, 48)  # long enough to score, short enough for a class to finish
CONTEXT_LINES = 3  # the lines before it that the reader and the model both see
MOST_GUESSES = 128  # a count above this is kept as this (bounds the class total; no vocabulary is so big)
MIN_POOLED_CHARS = 10  # a shorter game is not added to the class total: a few characters would only skew it


@dataclass(frozen=True)
class GameLine:
    """One held-out line to guess, with the lines before it."""

    key: str
    label: str  # e.g. "Sonnets of Small Trades, line 1"
    context: str  # ends with a newline
    line: str  # no newline

    @cached_property
    def letters(self) -> list[str]:
        """The line's user-perceived characters, one per guess."""
        return graphemes(self.line)


@dataclass(frozen=True)
class ModelGuess:
    """How the model did on one character (a grapheme): its probability and the rank of the right answer."""

    char: str
    prob: float  # upper and lower case together; for several code points, the product of their odds
    rank: int  # 1 = its favourite; how many guesses it would have needed


@dataclass(frozen=True)
class Bounds:
    """Shannon's bounds on the bits per character, from the frequencies of the guess counts."""

    upper: float
    lower: float


def game_lines() -> list[GameLine]:
    """The game's lines: the first few suitable lines of each sample corpus's held-out last tenth."""
    lines = []
    for entry in catalog():
        _, tail = split_at_stanza(entry.path.read_text(encoding="utf-8"))
        rows = tail.split("\n")
        found = 0
        for at, row in enumerate(rows):
            if found == LINES_PER_CORPUS:
                break
            before = _stanza_before(rows, at)
            # Within a stanza, so the context leads into it; an indented line would start with spaces to guess.
            if LINE_CHARS[0] <= len(row) <= LINE_CHARS[1] and row == row.strip() and before:
                found += 1
                key, label = f"{entry.name}-{found}", f"{entry.title}, line {found}"
                lines.append(GameLine(key, label, "\n".join(before) + "\n", row))
    return lines


def _stanza_before(rows: list[str], at: int) -> list[str]:
    """Up to ``CONTEXT_LINES`` lines just before ``rows[at]`` in the same stanza (none at a stanza's start)."""
    start = at
    while start > 0 and at - start < CONTEXT_LINES and rows[start - 1].strip():
        start -= 1
    return rows[start:at]


def shannon_bounds(counts: Sequence[int]) -> Bounds:
    """Upper bound: the entropy of the guess counts' frequencies q_k. Lower bound: the sum over k of
    k (q_k - q_{k+1}) log2 k, with the q_k in falling order as Shannon's ideal reader has them (a few
    dozen characters can tally more second guesses than first). Bits per character; 0 for no characters."""
    return tally_bounds(Counter(min(int(c), MOST_GUESSES) for c in counts))


def tally_bounds(tally: Counter) -> Bounds:
    """:func:`shannon_bounds` from a tally of guess counts (how many characters took 1, 2, 3… guesses)."""
    total = sum(tally.values())
    if not total:
        return Bounds(0.0, 0.0)
    q = [n / total for n in tally.values() if n]
    upper = 0.0 - sum(p * math.log2(p) for p in q)
    falling = sorted(q, reverse=True) + [0.0]
    lower = sum(k * (falling[k - 1] - falling[k]) * math.log2(k) for k in range(1, len(falling)))
    return Bounds(upper, lower)


def model_guesses(generator, context: str, line: str) -> list[ModelGuess]:
    """The model's probability and rank for each grapheme of ``line``, reading ``context`` first, then the
    line itself as it goes (one compiled step per code point, the same one the sampler uses)."""
    tokenizer = generator.poem.tokenizer
    if generator.poem.config.level != "char":
        raise ValueError("The guessing game needs a model that writes a character at a time.")
    folded = [token.casefold() for token in tokenizer.tokens]
    ids, _ = generator.encode_prime(context)
    logits, states = generator.start(ids, 1)
    found = []
    for letter in graphemes(line):
        prob, rank = 1.0, 1
        for char in letter:
            probs = _softmax(logits.numpy()[0])
            merged: dict[str, float] = {}
            for token, p in zip(folded, probs):
                merged[token] = merged.get(token, 0.0) + float(p)
            right = merged.get(char.casefold(), 0.0)
            prob *= right
            rank += sum(1 for p in merged.values() if p > right) if right > 0 else len(merged)
            token_id = tokenizer.index.get(char)
            if token_id is not None:  # a character it has never seen is skipped, as in a seed
                _, _, logits, states = generator.advance(logits, states, [1.0], np.zeros(1), [token_id])
        found.append(ModelGuess(letter, prob, rank))
    return found


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits.astype(np.float64) - logits.max())
    return z / z.sum()


class GuessError(ValueError):
    """A guess that cannot be scored (not one letter, or the line is done)."""


@dataclass
class Game:
    """One student's game on one line: the guess counts so far and the wrong guesses at this character."""

    line: GameLine
    counts: list[int] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)  # wrong guesses at the current character, in order

    @property
    def done(self) -> bool:
        return len(self.counts) == len(self.line.letters)

    @property
    def revealed(self) -> str:
        return "".join(self.line.letters[: len(self.counts)])

    def guess(self, text: str) -> bool:
        """Score one guess (one grapheme); True when it was right (the game moves on). A repeated wrong guess
        is not counted."""
        if self.done:
            raise GuessError("This line is finished: pick another line or start it again.")
        typed = graphemes(text)
        if len(typed) != 1:
            raise GuessError(
                "Type exactly one letter (a space counts). A letter with its accents or vowel signs is one letter."
            )
        char = typed[0]
        answer = self.line.letters[len(self.counts)]
        if char.casefold() == answer.casefold():
            self.counts.append(len(self.tried) + 1)
            self.tried = []
            return True
        if char.casefold() not in (t.casefold() for t in self.tried):
            self.tried.append(char)
        return False


@dataclass(frozen=True)
class Comparison:
    """A student against the model on the characters the student has played."""

    chars: int
    you: Bounds
    model: Bounds  # the same method, on the model's ranks
    model_bits: float  # the model's own odds: mean -log2 p of the right characters
    you_better: list[int]  # positions where the student needed fewer guesses than the model
    model_better: list[int]


def compare(counts: Sequence[int], model: Sequence[ModelGuess]) -> Comparison:
    """Score ``counts`` (the student's guesses per character) against the model on the same characters."""
    ranks = [guess.rank for guess in model[: len(counts)]]
    probs = [max(guess.prob, 1e-12) for guess in model[: len(counts)]]
    return Comparison(
        chars=len(counts),
        you=shannon_bounds(counts),
        model=shannon_bounds(ranks),
        model_bits=float(np.mean([-math.log2(p) for p in probs])) if probs else 0.0,
        you_better=[i for i, (c, r) in enumerate(zip(counts, ranks)) if c < r],
        model_better=[i for i, (c, r) in enumerate(zip(counts, ranks)) if r < c],
    )


@dataclass(frozen=True)
class ClassLine:
    """Everyone's pooled results on one line: no names, only how many guesses each character took."""

    players: int
    you: Counter  # guess count -> characters, over every student's played characters
    model: Counter  # the model's rank -> characters, on the same characters

    @property
    def chars(self) -> int:
        return sum(self.you.values())

    def bounds(self) -> tuple[Bounds, Bounds]:
        """(the class's, the model's) bits per character by Shannon's method, over the pooled characters."""
        return tally_bounds(self.you), tally_bounds(self.model)


class ClassTotals:
    """One class's pooled results per line. Bounded whatever the number of sessions: per known line, two
    tallies of at most ``MOST_GUESSES`` counts, a number of players and the players already counted (a class
    has at most ``limits.MAX_CLASS_STUDENTS`` of them)."""

    def __init__(self, keys: Sequence[str]):
        self._lock = threading.Lock()
        self._lines = {key: ClassLine(0, Counter(), Counter()) for key in keys}
        self._counted: set[tuple[str, str]] = set()  # (player, line) pairs already in the total

    def add(self, key: str, counts: Sequence[int], model: Sequence[ModelGuess], player: str) -> bool:
        """Pool one student's finished (or stopped) game on line ``key``; False when it does not count: a line
        the game lacks, fewer than ``MIN_POOLED_CHARS`` characters played, or ``player`` (the browser's
        token, which outlives a reload) already added this line."""
        if key not in self._lines or len(counts) < MIN_POOLED_CHARS:
            return False
        you = Counter(min(int(c), MOST_GUESSES) for c in counts)
        ranks = Counter(min(g.rank, MOST_GUESSES) for g in model[: len(counts)])
        with self._lock:
            if (player, key) in self._counted:
                return False
            self._counted.add((player, key))
            old = self._lines[key]
            self._lines[key] = ClassLine(old.players + 1, old.you + you, old.model + ranks)
            return True

    def line(self, key: str) -> ClassLine:
        """A snapshot (never changed afterwards) of line ``key``'s pooled results."""
        with self._lock:
            return self._lines.get(key, ClassLine(0, Counter(), Counter()))

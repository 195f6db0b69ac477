"""Plain numbers about a generated poem that a class can read at a glance.

They complement the model's own score (mean log-probability, in
:class:`~lstm_poem.network.generate.Sample`): that says how *likely* the text was to
the model, these say what the text *looks like*: real words or invented ones,
fresh or looping.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from lstm_poem.text.tokenizer import words


@dataclass(frozen=True)
class PoemStats:
    words: int
    real_word_share: float | None  # share of words that occur in the training text; None without a word list
    repetition: float  # share of 3-word phrases that repeat an earlier one in the same poem
    lines: int


def real_word_share(text: str, vocabulary: Collection[str]) -> float | None:
    """How many of the poem's words occur in the training text (case-insensitive)."""
    found = [word.lower() for word in words(text)]
    if not found or not vocabulary:
        return None
    return sum(word in vocabulary for word in found) / len(found)


def repetition(text: str, n: int = 3) -> float:
    """Share of the poem's n-word phrases that already appeared earlier in it.

    Greedy (T = 0) text tends to fall into a loop and scores high; hot samples
    score near zero. Short texts with fewer than ``n`` words score 0.
    """
    found = [word.lower() for word in words(text)]
    phrases = [tuple(found[i : i + n]) for i in range(len(found) - n + 1)]
    if not phrases:
        return 0.0
    return 1.0 - len(set(phrases)) / len(phrases)


def poem_stats(text: str, vocabulary: Collection[str]) -> PoemStats:
    return PoemStats(
        words=len(words(text)),
        real_word_share=real_word_share(text, vocabulary),
        repetition=repetition(text),
        lines=sum(1 for line in text.split("\n") if line.strip()),
    )

"""Character- and word-level tokenizers that round-trip through JSON.

A tokenizer maps text to integer ids and back. Encoding never fails on text it
has not seen: unknown characters or words are reported in :class:`Encoded` so a
page can name them to the user.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

UNKNOWN_WORD = "<unk>"

# Printed straight after the word before / before the word after, with no space: Latin, Arabic,
# Devanagari (danda) and CJK punctuation.
_NO_SPACE_BEFORE = set(",.;:!?)]}’”»…%—\n،؛؟।॥、。，！？：；」』）")
_NO_SPACE_AFTER = set("([{‘“«—¿¡\n「『（")
# Scripts written without spaces between words (unicodedata name prefixes -> what to call them).
_NO_SPACE_SCRIPTS = {
    "CJK": "Chinese or Japanese characters",
    "HIRAGANA": "Japanese kana",
    "KATAKANA": "Japanese kana",
    "HALFWIDTH KATAKANA": "Japanese kana",
    "THAI": "Thai",
    "LAO": "Lao",
    "KHMER": "Khmer",
    "MYANMAR": "Burmese",
}
NO_SPACE_SHARE = 0.3  # above this share of letters in such scripts, word level is refused
_TOGGLING_QUOTES = {'"', "'"}


@dataclass(frozen=True)
class Encoded:
    """Token ids for a text, and the distinct pieces of it that had no id."""

    ids: list[int]
    unknown: list[str]


class Tokenizer:
    """Shared behaviour: a list of tokens (id -> token) and the inverse lookup."""

    level = ""

    def __init__(self, tokens: Sequence[str]):
        if len(tokens) == 0:
            raise ValueError("A tokenizer needs at least one token.")
        if len(set(tokens)) != len(tokens):
            raise ValueError("Tokenizer vocabulary has duplicate tokens.")
        self.tokens = list(tokens)
        self.index = {token: i for i, token in enumerate(self.tokens)}

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    @property
    def unknown_id(self) -> int | None:
        """Id that stands for unseen words; generation never samples it."""
        return None

    def split(self, text: str) -> list[str]:
        raise NotImplementedError

    def pieces(self, ids: Sequence[int]) -> list[str]:
        """The printed text of each token, spacing included; ``decode`` joins them."""
        raise NotImplementedError

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.pieces(ids))

    def encode(self, text: str, skip_unknown: bool = True) -> Encoded:
        """Ids for ``text``. Unknown pieces are skipped (seeds) or mapped to the
        unknown token where there is one (training text); either way they are reported."""
        ids: list[int] = []
        unknown: dict[str, None] = {}
        for piece in self.split(text):
            token_id = self.index.get(piece)
            if token_id is None:
                unknown[piece] = None
                if skip_unknown or self.unknown_id is None:
                    continue
                token_id = self.unknown_id
            ids.append(token_id)
        return Encoded(ids=ids, unknown=list(unknown))

    def display(self, token_id: int) -> str:
        """A visible label for one token (for charts): newline and space are spelled out."""
        token = self.tokens[token_id]
        return {"\n": "⏎ newline", " ": "␣ space", "\t": "⇥ tab"}.get(token, token)

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "tokens": self.tokens}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Tokenizer:
        """Rebuild a tokenizer from :meth:`to_dict` output, validating it."""
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
            raise ValueError("tokenizer must be an object with a list of tokens")
        tokens = data["tokens"]
        if not all(isinstance(t, str) and t for t in tokens):
            raise ValueError("every token must be a non-empty string")
        level = data.get("level")
        if level == "char":
            return CharTokenizer(tokens)
        if level == "word":
            return WordTokenizer(tokens)
        raise ValueError(f"unknown tokenizer level {level!r}")


class CharTokenizer(Tokenizer):
    """One token per Unicode character (after NFC normalisation)."""

    level = "char"

    def __init__(self, tokens: Sequence[str]):
        if any(len(t) != 1 for t in tokens):
            raise ValueError("character tokens must be single characters")
        super().__init__(tokens)

    @classmethod
    def fit(cls, text: str) -> CharTokenizer:
        return cls(sorted(set(text)))

    def split(self, text: str) -> list[str]:
        return list(text)

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.tokens[i] for i in ids]


class WordTokenizer(Tokenizer):
    """Words, punctuation marks and newlines as tokens, with a capped vocabulary.

    Id 0 is the unknown word: rare words in the training text map to it, and
    generation never samples it.
    """

    level = "word"

    def __init__(self, tokens: Sequence[str]):
        if not tokens or tokens[0] != UNKNOWN_WORD:
            raise ValueError(f"the first word token must be {UNKNOWN_WORD!r}")
        super().__init__(tokens)

    @classmethod
    def fit(cls, text: str, max_words: int = 4000) -> WordTokenizer:
        """Keep the ``max_words - 1`` most frequent tokens (ties in first-seen order)."""
        return cls.fit_pieces(word_tokens(text), max_words)

    @classmethod
    def fit_pieces(cls, pieces: Sequence[str], max_words: int = 4000) -> WordTokenizer:
        """Like :meth:`fit`, from tokens already split off a text."""
        counts = Counter(pieces)
        counts.pop(UNKNOWN_WORD, None)
        kept = [token for token, _ in counts.most_common(max(1, max_words - 1))]
        return cls([UNKNOWN_WORD, *kept])

    @property
    def unknown_id(self) -> int:
        return 0

    def split(self, text: str) -> list[str]:
        return word_tokens(text)

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return spaced_words([self.tokens[i] for i in ids])


def spaced_words(words: Sequence[str]) -> list[str]:
    """Each word with the space it needs in front, the way verse is usually printed."""
    parts: list[str] = []
    open_quotes: set[str] = set()
    glue_next = True  # no space before the very first token
    for word in words:
        if word in _TOGGLING_QUOTES:
            closing = word in open_quotes
            open_quotes ^= {word}
            glue = glue_next or closing
            glue_next = not closing
        else:
            glue = glue_next or word in _NO_SPACE_BEFORE
            glue_next = word in _NO_SPACE_AFTER
        parts.append(word if glue else " " + word)
    return parts


@cache
def _word_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(every token, words only). A letter may carry combining marks, so a Hindi word does not break at its
    vowel signs (Python's ``\\w`` has no marks). The class of every mark of the Basic Multilingual Plane
    (about 1,300; the living scripts' marks) is built once, on first use: kept within that plane, ``re`` looks
    a character up in one table, and the patterns run as fast as without the marks."""
    marks = "".join(
        re.escape(chr(code))
        for code in range(0x10000)
        if not 0xD800 <= code < 0xE000 and unicodedata.category(chr(code)) in ("Mn", "Mc", "Me")
    )
    # Words keep inner apostrophes and hyphens ("o'er", "well-known"); every other
    # visible character is a token of its own; a newline is a token so poems keep
    # their line breaks; spaces and tabs are dropped and put back by decode().
    run = rf"[^\W\d_]+(?:[{marks}]+[^\W\d_]*)*"  # letters, with marks inside or after them
    word = rf"{run}(?:['’\-]{run})*"
    return re.compile(rf"\n|{word}|\d+|\S"), re.compile(word)


def word_tokens(text: str) -> list[str]:
    """The tokens a word-level model reads: words, numbers, single symbols and newlines."""
    return _word_patterns()[0].findall(text)


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and their marks, with inner apostrophes or hyphens), as the word
    tokenizer sees them."""
    return _word_patterns()[1].findall(text)


def no_space_scripts(text: str, sample: int = 20_000) -> list[str]:
    """The scripts that write words without spaces (Chinese, Japanese, Thai...) which make up most of the
    letters of ``text``'s first ``sample`` characters; empty for text whose words are spaced."""
    letters = [char for char in text[:sample] if char.isalpha()]
    found: Counter = Counter()
    for char in letters:
        name = unicodedata.name(char, "")
        script = next((label for prefix, label in _NO_SPACE_SCRIPTS.items() if name.startswith(prefix)), None)
        if script:
            found[script] += 1
    if not letters or sum(found.values()) <= NO_SPACE_SHARE * len(letters):
        return []
    return [script for script, _ in found.most_common()]


def word_level_problem(text: str) -> str | None:
    """Why word level cannot learn ``text`` (its script puts no spaces between words), or None."""
    scripts = no_space_scripts(text)
    if not scripts:
        return None
    return (
        f"This text is written in {' and '.join(scripts)}, which put no spaces between words, so at word level "
        "a whole phrase would count as one \"word\" and almost every one would be new. Train at character "
        "level instead: it learns these scripts one character at a time."
    )


def fit_tokenizer(text: str, level: str, max_words: int = 4000) -> Tokenizer:
    """Build the vocabulary of ``text`` at the given level ("char" or "word")."""
    if level == "char":
        return CharTokenizer.fit(text)
    if level == "word":
        problem = word_level_problem(text)
        if problem:
            raise ValueError(problem)
        return WordTokenizer.fit(text, max_words=max_words)
    raise ValueError(f"level must be 'char' or 'word', not {level!r}")

"""What a reader calls one letter: a user-perceived character (a grapheme cluster), from the standard library.

A Hindi syllable such as "कि" or "क्ष", a letter typed with a combining accent, or a flag emoji is several
code points but one letter to a reader. This is a small approximation of the extended grapheme clusters of
Unicode's UAX #29, enough for verse, without the compiled ``regex`` package: a cluster is a starting
code point followed by

- combining marks (categories Mn, Mc, Me), the joiners ZWJ and ZWNJ, variation selectors and emoji skin tones;
- after a virama (a mark of canonical combining class 9), the consonant it joins (Indic conjuncts);
- after a ZWJ, the next pictograph (family and profession emoji);
- a second regional indicator, so a flag is one cluster.

Hangul needs no rule here: text is NFC-normalised first, which composes its syllables.
"""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"
ZWNJ = "\u200c"
VIRAMA_CLASS = 9  # canonical combining class of the viramas and halants that join Indic consonants
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
_SKIN_TONES = range(0x1F3FB, 0x1F400)


def _extends(char: str) -> bool:
    """True for a code point that never starts a cluster: it belongs to the one before it."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in (ZWJ, ZWNJ)
        or ord(char) in _SKIN_TONES
    )


def graphemes(text: str) -> list[str]:
    """``text`` (NFC-normalised) cut into user-perceived characters; joining them gives the normalised text back."""
    clusters: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if clusters and _joins(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _joins(cluster: str, char: str) -> bool:
    if char == "\n" or cluster[-1] == "\n":
        return False
    if _extends(char):
        return True
    last = cluster[-1]
    if unicodedata.combining(last) == VIRAMA_CLASS and unicodedata.category(char) == "Lo":
        return True  # क + ् + ष: the virama joins the next consonant into one conjunct
    if last == ZWJ and unicodedata.category(char) == "So":
        return True  # 👩 + ZWJ + 🌾: one emoji
    if ord(char) in _REGIONAL_INDICATORS and ord(cluster[0]) in _REGIONAL_INDICATORS:
        return len(cluster) == 1  # flags are pairs of regional indicators
    return False


def is_one_grapheme(text: str) -> bool:
    """True when ``text`` is exactly one user-perceived character."""
    return len(graphemes(text)) == 1

"""Small formatting helpers shared by the pages, and the one way text from a user or a file is drawn."""

from __future__ import annotations

import re

# Every ASCII punctuation mark may be backslash-escaped in CommonMark, and an escaped one is only itself:
# no link or image (!, [, ]), heading (#), list (-, +, 1.), quote (>), table (|), emphasis (*, _, ~),
# code (`), HTML tag or entity (<, &), LaTeX ($) or Streamlit directive (:red[…]) can start from it.
_MARKUP = re.compile(r"([!-/:-@\[-`{-~])")
# Zero-width non-joiner and joiner: format characters that are part of how words are spelt in many scripts.
_JOINERS = "\u200c\u200d"


def plain(value: object) -> str:
    """``value`` (a name, a file name, a word, a seed line, an error that echoes one) as plain text for
    st.markdown, st.caption, st.error and the other Markdown-drawing calls and widget labels.

    Markup characters are escaped, so the text reads exactly as typed; line breaks and runs of
    spaces become one space (a line that starts with ``#`` or four spaces can't start a block);
    invisible format characters (right-to-left overrides, zero-width spaces) are dropped, so a name
    can't hide or reorder the text around it. The two joiners stay: Persian, the Indic scripts and
    emoji need them to spell a word (نمی‌خواهم, क्‍ष), and they neither hide nor reorder anything.
    """
    visible = "".join(ch if ch.isprintable() or ch.isspace() or ch in _JOINERS else "" for ch in str(value))
    return _MARKUP.sub(r"\\\1", " ".join(visible.split()))


def duration(seconds: float) -> str:
    """2:05 for 125 seconds; 1:02:05 past an hour."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def size(n_bytes: int) -> str:
    if n_bytes < 1000:
        return f"{n_bytes} bytes"
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.1f} KB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"

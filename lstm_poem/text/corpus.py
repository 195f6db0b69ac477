"""Load a corpus from a file or uploaded bytes: decode, clean, validate.

Everything a student might upload passes through :func:`load_corpus`; whatever
goes wrong comes back as a :class:`CorpusError` whose message can be shown to
the student as it is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lstm_poem import limits
from lstm_poem.text.tokenizer import words

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_corpora"


class CorpusError(ValueError):
    """The text cannot be used as a corpus; the message says why, in plain words."""


@dataclass(frozen=True)
class Corpus:
    """A cleaned, validated text ready to be tokenized.

    Its counts are cached: a page shows them on every rerun, and a 10 MB text
    takes a fraction of a second to count.
    """

    name: str
    text: str
    encoding: str
    notes: tuple[str, ...] = ()

    @property
    def n_chars(self) -> int:
        return len(self.text)

    @cached_property
    def n_lines(self) -> int:
        return self.text.count("\n") + (0 if self.text.endswith("\n") else 1)

    @cached_property
    def n_words(self) -> int:
        return len(words(self.text))

    @cached_property
    def distinct_chars(self) -> int:
        return len(set(self.text))


# Signatures of common binary formats, so the message can say what the file is.
_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel/model file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\x89HDF", "an HDF5 (.h5) file"),
]

_GUTENBERG_START = re.compile(
    r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK.*$", re.IGNORECASE | re.MULTILINE
)
_GUTENBERG_END = re.compile(
    r"^(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
    r"|End of (?:the )?Project Gutenberg'?s?\b).*$",
    re.IGNORECASE | re.MULTILINE,
)
_PRODUCED_BY = re.compile(r"\A\s*(?:Produced|Prepared|Transcribed) by\b.*?(?:\n\s*\n|\Z)", re.DOTALL)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode uploaded bytes; return (text, encoding name).

    Tries, in order: a UTF-8/UTF-16/UTF-32 byte-order mark, BOM-less UTF-16
    (recognised by its pattern of zero bytes), plain UTF-8, and finally
    Latin-1, which accepts any bytes and is reported so the user knows.
    """
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError as err:
                raise CorpusError(
                    f"The file starts like {codec.upper()} text but is not valid {codec.upper()} "
                    f"(bad bytes at position {err.start})."
                ) from None
    utf16 = _guess_bomless_utf16(data)  # before UTF-8: ASCII in UTF-16 is valid UTF-8 full of NULs
    if utf16 is not None:
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("latin-1"), "latin-1"


def _guess_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """Mostly-ASCII UTF-16 without a BOM has a zero byte in every other place."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_zeros = data[0::2].count(0) / (len(data) // 2)
    odd_zeros = data[1::2].count(0) / (len(data) // 2)
    for codec, zeros, other in (("utf-16-le", odd_zeros, even_zeros), ("utf-16-be", even_zeros, odd_zeros)):
        if zeros > 0.6 and other < 0.05:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None
    return None


def clean_text(text: str) -> str:
    """Normalise newlines to ``\\n``, Unicode to NFC, and drop a BOM or trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    return text.lstrip("\n").rstrip() + "\n" if text.strip() else ""


def strip_gutenberg(text: str) -> tuple[str, bool]:
    """Remove Project Gutenberg header and footer boilerplate when its markers are present."""
    stripped = False
    start = _GUTENBERG_START.search(text)
    if start:
        text = _PRODUCED_BY.sub("", text[start.end() :], count=1)
        stripped = True
    end = _GUTENBERG_END.search(text)
    if end:
        text = text[: end.start()]
        stripped = True
    return text, stripped


# Unicode's control codes (category Cc: C0, DEL and C1) but the five that lay out text. One regular expression
# pass: the copy check reads an 18 MB training text on a cold server, where a loop over its characters took 4 s.
_CONTROL_CODES = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _binary_reason(data: bytes, text: str) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return f"This file looks like {what}, not plain text."
    if "\x00" in text:
        return "This file contains NUL bytes, so it is binary data, not plain text."
    controls = len(text) - len(_CONTROL_CODES.sub("", text))
    if controls > max(3, 0.01 * len(text)):
        return "This file is mostly control codes, so it is binary data, not plain text."
    return None


def load_corpus(source: str | Path | bytes, name: str | None = None, max_bytes: int | None = None) -> Corpus:
    """Load a corpus from a path or raw bytes; raise :class:`CorpusError` with a clear message."""
    max_bytes = limits.MAX_CORPUS_BYTES if max_bytes is None else max_bytes
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.stem
        if not path.is_file():
            raise CorpusError(f"No such file: {path}")
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(_too_big(size, max_bytes))
        data = path.read_bytes()
    else:
        data = bytes(source)
        name = name or "uploaded text"
    if len(data) > max_bytes:
        raise CorpusError(_too_big(len(data), max_bytes))
    if not data.strip():
        raise CorpusError("The text is empty. Pick a file or paste some verse.")
    text, encoding = decode_bytes(data)
    reason = _binary_reason(data, text)
    if reason:
        raise CorpusError(reason)
    notes: list[str] = []
    if encoding == "latin-1":
        notes.append("The file is not UTF-8; it was read as Latin-1 (Western European). Check accented letters.")
    elif encoding != "utf-8":
        notes.append(f"The file was read as {encoding.upper()}.")
    text, stripped = strip_gutenberg(clean_text(text))
    if stripped:
        notes.append("Project Gutenberg header and licence text were removed.")
    text = clean_text(text)
    if not text:
        raise CorpusError("The text is only whitespace. Pick a file with some verse in it.")
    return Corpus(name=name, text=text, encoding=encoding, notes=tuple(notes))


def corpus_from_text(text: str, name: str = "pasted text") -> Corpus:
    """Validate text typed or pasted by the user, the same way as a file."""
    return load_corpus(text.encode("utf-8"), name=name)


def _too_big(size: int, max_bytes: int) -> str:
    return f"The text is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB. Use a smaller selection of poems."


@dataclass(frozen=True)
class CatalogEntry:
    """One bundled sample corpus, as described in ``sample_corpora/catalog.json``."""

    name: str
    title: str
    form: str
    description: str
    license: str
    path: Path
    size: int  # bytes, as recorded in the catalog
    language: str = "English"

    def load(self) -> Corpus:
        return load_corpus(self.path, name=self.name)


def catalog(directory: Path = SAMPLE_DIR) -> list[CatalogEntry]:
    """The bundled sample corpora, in catalog order (empty when there are none)."""
    index = directory / "catalog.json"
    if not index.is_file():
        return []
    entries = json.loads(index.read_text(encoding="utf-8"))["corpora"]
    return [
        CatalogEntry(
            name=item["name"],
            title=item["title"],
            form=item.get("form", ""),
            description=item.get("description", ""),
            license=item.get("license", ""),
            path=directory / item["file"],
            size=int(item.get("bytes", 0)),
            language=item.get("language", "English"),
        )
        for item in entries
    ]

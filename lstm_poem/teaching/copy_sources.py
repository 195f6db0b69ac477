"""Which training texts a pretrained model learned from, and whether they are on this machine.

A fine-tuned model can copy from its base's text as well as its own (Frost's
model read 18 MB of older verse before Frost), so a model's sources are its own
texts followed by its base's, down the chain. The plain texts live in
``../shared/corpora`` beside the checkout, never in the repository; the repository
ships them xz-compressed in ``pretrained/training_texts/`` (written by
``scripts/pack_training_texts.py``, in parts so that no file reaches 5 MiB), so a
hosted copy of the app with no ``shared/`` checks every pretrained model too. Where
a text is in neither place the model's copy check is unavailable rather than wrong.
"""

from __future__ import annotations

import lzma
from dataclasses import dataclass
from pathlib import Path

from lstm_poem.files.pretrained import PretrainedModel, pretrained_catalog
from lstm_poem.text.corpus import SAMPLE_DIR, catalog, load_corpus

SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
PACKED_TEXTS = Path(__file__).resolve().parents[2] / "pretrained" / "training_texts"
# The files each pretrained model trained on (scripts/train_pretrained.py's recipes); None = the sample corpora.
# The Transformers read the same texts as their LSTM twins.
_VERSE, _PLAYS, _SONNETS = ("english_verse.txt",), ("tinyshakespeare.txt",), ("shakespeare_sonnets.txt",)
_FROST = ("frost_north_of_boston.txt", "frost_mountain_interval.txt")
PRETRAINED_TEXTS: dict[str, tuple[str, ...] | None] = {
    "verse_base": _VERSE,
    "verse_words": _VERSE,
    "plays": _PLAYS,
    "sonnets": _SONNETS,
    "frost": _FROST,
    "sample_verse": None,
    "verse_transformer": _VERSE,
    "transformer_plays": _PLAYS,
    "transformer_sonnets": _SONNETS,
    "transformer_frost": _FROST,
}
_LARGEST_TEXT = 1 << 30  # the copy check reads the 18 MB of verse, past the upload limit


@dataclass(frozen=True)
class TextSource:
    """One training text on disk."""

    name: str  # shown beside a copied line
    path: Path  # the plain text, or the first xz part of a packed one
    more: tuple[Path, ...] = ()  # a packed text's further parts, in order

    def read(self) -> str:
        """The text cleaned exactly as training cleaned it, so that positions line up."""
        parts = [path.read_bytes() for path in (self.path, *self.more)]
        data = b"".join(lzma.decompress(part) for part in parts) if self.path.suffix == ".xz" else parts[0]
        return load_corpus(data, name=self.name, max_bytes=_LARGEST_TEXT).text


def packed_part(file: str, number: int) -> Path:
    """Part ``number`` (from 1) of the training text ``file`` as the repository ships it, xz-compressed."""
    return PACKED_TEXTS / f"{file.removesuffix('.txt')}.part{number}.xz"


def training_text(file: str, corpora: Path | None = None) -> TextSource | None:
    """The training text ``file``: the plain copy in ``corpora`` (``../shared/corpora`` unless given),
    else the compressed one the repository ships; None when neither is here."""
    name = file.removesuffix(".txt")
    plain = (corpora or SHARED_CORPORA) / file
    if plain.is_file():
        return TextSource(name, plain)
    parts: list[Path] = []
    while packed_part(file, len(parts) + 1).is_file():
        parts.append(packed_part(file, len(parts) + 1))
    return TextSource(name, parts[0], tuple(parts[1:])) if parts else None


def pretrained_sources(name: str, corpora: Path | None = None) -> list[TextSource] | None:
    """The texts the pretrained model ``name`` (and its bases) trained on; None when any is not here."""
    models = {model.name: model for model in pretrained_catalog()}
    sources: list[TextSource] = []
    seen: set[str] = set()
    current: PretrainedModel | None = models.get(name)
    if current is None or name not in PRETRAINED_TEXTS:
        return None
    while current is not None and current.name not in seen:
        seen.add(current.name)
        files = PRETRAINED_TEXTS.get(current.name, ())
        if files is None:
            # sample_verse trained on the English corpora, before the German and Spanish ones shipped
            english = (entry for entry in catalog(SAMPLE_DIR) if entry.language == "English")
            sources.extend(TextSource(entry.title, entry.path) for entry in english)
        else:
            texts = [training_text(file, corpora) for file in files]
            if None in texts:
                return None
            sources.extend(texts)
        current = models.get(current.base) if current.base else None
    unique = list({source.path: source for source in sources}.values())
    return unique if all(source.path.is_file() for source in unique) else None

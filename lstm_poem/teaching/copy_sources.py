"""Which training texts a pretrained model learned from, and whether they are on this machine.

A fine-tuned model can copy from its base's text as well as its own (Frost's
model read 18 MB of older verse before Frost), so a model's sources are its own
texts followed by its base's, down the chain. The shared corpora are never in
the repository: where one is missing (a hosted copy of the app) the model's
copy check is unavailable rather than wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstm_poem.files.pretrained import PretrainedModel, pretrained_catalog
from lstm_poem.text.corpus import SAMPLE_DIR, catalog, load_corpus

SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
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
    path: Path

    def read(self) -> str:
        """The text cleaned exactly as training cleaned it, so that positions line up."""
        return load_corpus(self.path, max_bytes=_LARGEST_TEXT).text


def pretrained_sources(name: str, corpora: Path = SHARED_CORPORA) -> list[TextSource] | None:
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
            sources.extend(TextSource(file.removesuffix(".txt"), corpora / file) for file in files)
        current = models.get(current.base) if current.base else None
    unique = list({source.path: source for source in sources}.values())
    return unique if all(source.path.is_file() for source in unique) else None

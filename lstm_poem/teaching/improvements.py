"""The notebook's "why isn't it meaningful, and what helps?" table, measured.

Every row is a model scored the same way (:mod:`lstm_poem.measuring.scoring`):
held-out loss in bits per character on one shared held-out text (so character and
word models share an axis), and the real-word share and repetition of poems
written from one seed line at one temperature over fixed random seeds. ``scripts/improvements.py`` trains the
rows and writes ``improvements/catalog.json``; the page only reads it.

The shared held-out text is the last tenth of the project's own sonnets
(``sample_corpora/sonnets.txt``, cut at a stanza break). Every row can be
scored on it fairly: the small-corpus rows train on the other nine tenths, the
"more data" model held out the last tenth of every sample corpus, this one
included, and the verse models never read the sample corpora. It is original
verse, so no pretrained model saw it either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path

from lstm_poem.network.model import ModelConfig, PoemModel
from lstm_poem.text.corpus import SAMPLE_DIR
from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE
from lstm_poem.training.train_config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
IMPROVEMENTS_DIR = ROOT / "improvements"
SMALL_CORPUS = SAMPLE_DIR / "sonnets.txt"


@dataclass(frozen=True)
class QuickRow:
    """A cheap row of the table that a class can run on its own corpus from the Train page."""

    model: ModelConfig | None  # None: fine-tune the base model, keeping its architecture
    training: TrainConfig
    base: str | None = None  # name of the pretrained model to fine-tune


QUICK_SECONDS = 60  # each quick row's time limit; the six rows stay within six minutes


def quick_rows(max_seconds: int) -> list[QuickRow]:
    """The table's cheap rows (scratch LSTM, GRU, stacked, word level, fine-tuned from the verse
    model, a small Transformer), each stopped early by patience or by ``min(QUICK_SECONDS, max_seconds)``
    seconds. The Transformer trains as the table's row 8 does (scripts/improvements.py)."""
    seconds = float(min(QUICK_SECONDS, max_seconds))
    training = TrainConfig(seq_len=64, epochs=200, patience=5, time_limit=seconds)
    return [
        QuickRow(ModelConfig(units=128, embedding=32), training),
        QuickRow(ModelConfig(cell="gru", units=128, embedding=32), training),
        QuickRow(ModelConfig(layers=2, units=128, embedding=32), training),
        QuickRow(ModelConfig(level="word", units=128), replace(training, seq_len=20)),
        QuickRow(None, replace(training, learning_rate=FINE_TUNE_LEARNING_RATE), base="sample_verse"),
        QuickRow(
            ModelConfig(cell="transformer", layers=2, units=64, heads=4, context=64, dropout=0.1),
            replace(training, batch_size=16, learning_rate=0.006, warmup_steps=30, weight_decay=0.1),
        ),
    ]


@dataclass(frozen=True)
class Row:
    """One line of the table, as the catalog records it."""

    name: str
    title: str
    why: str  # plain words: why this helps, or why it does not
    path: Path  # the model bundle
    command: str  # how it was trained
    level: str
    parameters: int
    bits_per_char: float
    real_word_share: float
    repetition: float
    train_seconds: float
    poem: str  # the poem the script wrote with the catalog's settings
    unknown_words: int = 0  # held-out words a word model does not know (each charged its spelling)
    note: str = ""  # anything a reader must know to judge the figures

    def load(self) -> PoemModel:
        from lstm_poem.files.bundle import load_bundle

        return load_bundle(self.path)


@dataclass(frozen=True)
class Table:
    """The catalog: shared settings and the rows in teaching order."""

    held_out: str  # which text, in words
    held_out_chars: int
    prime: str
    temperature: float
    seeds: list[int]
    machine: str
    made_on: str
    rows: list[Row]


def load_table(directory: Path | None = None) -> Table | None:
    """The catalog in ``directory``; None when there is none. Rows whose bundle is missing are left out."""
    directory = directory or IMPROVEMENTS_DIR
    index = directory / "catalog.json"
    if not index.is_file():
        return None
    data = json.loads(index.read_text(encoding="utf-8"))
    # The catalog is the project's own file, written by scripts/improvements.py: its fields are Row's.
    known = {field.name for field in fields(Row)} - {"path"}
    rows = [
        Row(path=ROOT / item["file"], **{key: value for key, value in item.items() if key in known})
        for item in data["rows"]
        if (ROOT / item["file"]).is_file()
    ]
    return Table(
        held_out=data["held_out"],
        held_out_chars=int(data["held_out_chars"]),
        prime=data["prime"],
        temperature=float(data["temperature"]),
        seeds=[int(s) for s in data["seeds"]],
        machine=data["machine"],
        made_on=data["made_on"],
        rows=rows,
    )


# The Transformer rows and the LSTM rows trained the same way: (Transformer, LSTM, how they were trained).
TRANSFORMER_PAIRS = (
    ("transformer", "seq2seq", "Trained from scratch on the small corpus for the same seconds"),
    ("transformer_finetuned", "finetuned", "Fine-tuned on the small corpus from a base that read the 18 MB of verse"),
)


def transformer_verdict(table: Table) -> list[str]:
    """One sentence per Transformer row whose LSTM counterpart is in the table: who wins, by how much."""
    by_name = {row.name: row for row in table.rows}
    sentences = []
    for transformer_name, lstm_name, how in TRANSFORMER_PAIRS:
        transformer, lstm = by_name.get(transformer_name), by_name.get(lstm_name)
        if transformer is None or lstm is None:
            continue
        gap = transformer.bits_per_char - lstm.bits_per_char
        winner = "the LSTM wins" if gap > 0 else "the Transformer wins"
        sentences.append(
            f"{how}, {winner} by {abs(gap):.2f} bits per character: {lstm.bits_per_char:.2f} for "
            f"the LSTM (row {lstm.title.split('. ', 1)[0]}) against {transformer.bits_per_char:.2f} for the "
            f"Transformer (row {transformer.title.split('. ', 1)[0]})."
        )
    return sentences

"""The notebook's "why isn't it meaningful, and what helps?" table, measured.

Every row is a model scored the same way: held-out loss in bits per character
on one shared held-out text (so character and word models share an axis), and
the real-word share and repetition of poems written from one seed line at one
temperature over fixed random seeds. ``scripts/improvements.py`` trains the
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
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from lstm_poem.files.pretrained import PRETRAINED_DIR
from lstm_poem.measuring.evaluate import evaluate
from lstm_poem.measuring.poem_stats import poem_stats
from lstm_poem.network.model import ModelConfig, PoemModel
from lstm_poem.text.corpus import SAMPLE_DIR
from lstm_poem.text.tokenizer import UNKNOWN_WORD, spaced_words, word_tokens, words
from lstm_poem.training.data import heldout_start
from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE
from lstm_poem.training.train_config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
IMPROVEMENTS_DIR = ROOT / "improvements"
HELD_OUT_FRACTION = 0.1
SMALL_CORPUS = SAMPLE_DIR / "sonnets.txt"
VERSE_WORDS = PRETRAINED_DIR / "verse_words.zip"  # its vocabulary: the commonest words of the 18 MB of verse


def split_at_stanza(text: str, fraction: float = HELD_OUT_FRACTION) -> tuple[str, str]:
    """(head, tail): the tail is about the last ``fraction`` of ``text``, starting at a stanza break."""
    text = text.strip("\n")
    cut = text.rfind("\n\n", 0, int(len(text) * (1 - fraction)))
    if cut <= 0:
        raise ValueError("the text has no stanza break before its last part, so it cannot be split there")
    return text[:cut].strip("\n") + "\n", text[cut:].strip("\n") + "\n"


def reference_words(directory: Path = SAMPLE_DIR, verse_words: Path = VERSE_WORDS) -> frozenset[str]:
    """One word list for every row's real-word share: the words of all the sample corpora, and the 6,000
    commonest words of the 18 MB of verse (the vocabulary of the word model trained on it, when it is there).

    A shared list (rather than each model's own training words) keeps the share
    comparable between a model trained on 18 KB and one trained on 18 MB. The
    sample corpora alone counted the verse models' real but rarer words as
    invented (the verse word model, which cannot invent a word, scored 84%).
    Every word of the verse would be too many: its dialect words and fragments
    ("ith", "tres") turn a weak model's misspellings into real words.
    """
    found: set[str] = set()
    for path in sorted(directory.glob("*.txt")):
        found.update(word.lower() for word in words(path.read_text(encoding="utf-8")))
    if verse_words.is_file():
        from lstm_poem.files.bundle import load_bundle

        tokens = load_bundle(verse_words).tokenizer.tokens
        found.update(word.lower() for token in tokens if token != UNKNOWN_WORD for word in words(token))
    return frozenset(found)


@dataclass(frozen=True)
class HeldOut:
    """A model's held-out loss, with unknown words paid for (word level)."""

    bits_per_char: float
    nats_per_token: float  # as training reports it: an unknown word costs only its "unknown" prediction
    unknown_words: int  # scored words outside the model's vocabulary


def held_out_loss(poem: PoemModel, text: str) -> HeldOut:
    """Bits per character of ``text`` that character and word models can be compared on.

    A word model predicts an unseen word only as "unknown", which is cheap and would
    flatter it. Here each unknown word also pays for being spelled out letter by
    letter with no knowledge of English: ln(letters + 1) nats a character, end of word
    included, over the letters of the words the model knows. Characters are those of
    the scored words as printed (``spaced_words``).
    """
    evaluation = evaluate(poem, text)
    if poem.config.level == "char":
        return HeldOut(evaluation.bits_per_char, evaluation.loss, 0)
    scored = word_tokens(text)[1 : 1 + evaluation.tokens]  # evaluate()'s targets: every token after the first
    known = set(poem.tokenizer.tokens)
    unknown = [token for token in scored if token not in known]
    letters = len({char for token in poem.tokenizer.tokens[1:] for char in token})
    spelling = sum((len(token) + 1) * math.log(letters + 1) for token in unknown)
    chars = len("".join(spaced_words(scored)))
    total = evaluation.loss * evaluation.tokens + spelling
    return HeldOut(total / chars / math.log(2), evaluation.loss, len(unknown))


def run_bits_per_char(poem: PoemModel, text: str, seq_len: int, val_fraction: float, reported: float) -> float:
    """A finished training's held-out bits per character as the table measures it: a word model's
    held-out tail is scored again with its unknown words paid for; a character model's is as ``reported``."""
    if poem.config.level == "char":
        return reported
    tokens = word_tokens(text)
    tail = "".join(spaced_words(tokens[heldout_start(len(tokens), seq_len, val_fraction) :]))
    return held_out_loss(poem, tail).bits_per_char


@dataclass(frozen=True)
class Score:
    """One model measured on the shared held-out text and the shared poem settings."""

    bits_per_char: float
    nats_per_token: float
    unknown_words: int
    real_word_share: float  # mean over the random seeds
    repetition: float  # mean over the random seeds
    poem: str  # the poem written with the first random seed


# Characters of verse per word token, roughly: a word and its space (in english_verse.txt, where
# punctuation marks and line breaks are tokens too, a token averages 4.0).
CHARS_PER_WORD = 5


def poem_length(poem: PoemModel, chars: int) -> int:
    """Tokens to ask for so a poem is about ``chars`` characters long at either level."""
    return chars if poem.config.level == "char" else max(1, chars // CHARS_PER_WORD)


def score(
    poem: PoemModel,
    held_out: str,
    prime: str,
    temperature: float,
    seeds: Sequence[int],
    vocabulary: Collection[str],
    chars: int = 400,
) -> Score:
    """Held-out bits per character, and poem statistics averaged over ``seeds``."""
    from lstm_poem.network.generate import Generator

    loss = held_out_loss(poem, held_out)
    generator = Generator(poem)
    texts = [
        generator.generate(prime, [temperature], length=poem_length(poem, chars), seed=seed).samples[0].text
        for seed in seeds
    ]
    stats = [poem_stats(text, vocabulary) for text in texts]
    return Score(
        bits_per_char=loss.bits_per_char,
        nats_per_token=loss.nats_per_token,
        unknown_words=loss.unknown_words,
        real_word_share=sum(s.real_word_share or 0.0 for s in stats) / len(stats),
        repetition=sum(s.repetition for s in stats) / len(stats),
        poem=texts[0],
    )


@dataclass(frozen=True)
class QuickRow:
    """A cheap row of the table that a class can run on its own corpus from the Train page."""

    model: ModelConfig | None  # None: fine-tune the base model, keeping its architecture
    training: TrainConfig
    base: str | None = None  # name of the pretrained model to fine-tune


QUICK_SECONDS = 60  # each quick row's time limit; five rows stay within five minutes


def quick_rows(max_seconds: int) -> list[QuickRow]:
    """The table's cheap rows (scratch LSTM, GRU, stacked, word level, fine-tuned from the verse
    model), each stopped early by patience or by ``min(QUICK_SECONDS, max_seconds)`` seconds."""
    seconds = float(min(QUICK_SECONDS, max_seconds))
    training = TrainConfig(seq_len=64, epochs=200, patience=5, time_limit=seconds)
    return [
        QuickRow(ModelConfig(units=128, embedding=32), training),
        QuickRow(ModelConfig(cell="gru", units=128, embedding=32), training),
        QuickRow(ModelConfig(layers=2, units=128, embedding=32), training),
        QuickRow(ModelConfig(level="word", units=128), replace(training, seq_len=20)),
        QuickRow(None, replace(training, learning_rate=FINE_TUNE_LEARNING_RATE), base="sample_verse"),
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

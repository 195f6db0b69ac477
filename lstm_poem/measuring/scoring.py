"""Scores that put every model on one axis: held-out bits per character with a word model's unknown words
paid for, and what its poems are like (real-word share, repetition) from one seed line over fixed seeds.

The improvements table (:mod:`lstm_poem.teaching.improvements`), the Generate page, the
scripts that train the shipped models and the benchmarks all measure with these.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from lstm_poem.files.pretrained import PRETRAINED_DIR
from lstm_poem.measuring.evaluate import evaluate
from lstm_poem.measuring.poem_stats import poem_stats
from lstm_poem.network.model import PoemModel
from lstm_poem.text.corpus import SAMPLE_DIR, catalog
from lstm_poem.text.tokenizer import UNKNOWN_WORD, spaced_words, word_tokens, words
from lstm_poem.training.data import heldout_start

HELD_OUT_FRACTION = 0.1
VERSE_WORDS = PRETRAINED_DIR / "verse_words.zip"  # its vocabulary: the commonest words of the 18 MB of verse


def split_at_stanza(text: str, fraction: float = HELD_OUT_FRACTION) -> tuple[str, str]:
    """(head, tail): the tail is about the last ``fraction`` of ``text``, starting at a stanza break."""
    text = text.strip("\n")
    cut = text.rfind("\n\n", 0, int(len(text) * (1 - fraction)))
    if cut <= 0:
        raise ValueError("the text has no stanza break before its last part, so it cannot be split there")
    return text[:cut].strip("\n") + "\n", text[cut:].strip("\n") + "\n"


def reference_words(directory: Path = SAMPLE_DIR, verse_words: Path = VERSE_WORDS) -> frozenset[str]:
    """One word list for every row's real-word share: the words of the English sample corpora, and the 6,000
    commonest words of the 18 MB of verse (the vocabulary of the word model trained on it, when it is there).

    A shared list (rather than each model's own training words) keeps the share
    comparable between a model trained on 18 KB and one trained on 18 MB. The
    sample corpora alone counted the verse models' real but rarer words as
    invented (the verse word model, which cannot invent a word, scored 84%).
    Every word of the verse would be too many: its dialect words and fragments
    ("ith", "tres") turn a weak model's misspellings into real words.
    """
    found: set[str] = set()
    for entry in catalog(directory):
        if entry.language == "English":  # German "die" or Spanish "mar" would turn English slips into words
            found.update(word.lower() for word in words(entry.path.read_text(encoding="utf-8")))
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

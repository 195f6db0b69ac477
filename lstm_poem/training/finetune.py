"""Start training from a trained model instead of from random weights.

The new network has the base model's architecture and weights. Its vocabulary
is the base's, so everything the base learned about its tokens still applies:

- **Characters**: characters of the new text that the base never saw are
  *added*. Their embedding row starts as the average of the known rows (an
  "ordinary" character), and their output unit starts with the average
  outgoing weights and the lowest known bias, so the model begins by finding
  them as unlikely as its rarest character and learns them from there.
- **Words**: the vocabulary stays as it is (a new word needs many examples to
  be learned; a small corpus has few). Unknown words become the unknown token
  and are reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from lstm_poem.network.model import PoemModel, build_model, recurrent_layers, stacked_layers
from lstm_poem.text.tokenizer import CharTokenizer, Tokenizer

# Fine-tuning overwrites what the base knows if the steps are large; the pages
# and the command line use this rate unless the user chooses another.
FINE_TUNE_LEARNING_RATE = 0.002


@dataclass(frozen=True)
class Vocabulary:
    """The tokenizer for fine-tuning and what did not fit the base's vocabulary."""

    tokenizer: Tokenizer
    added: list[str]  # characters appended to the base vocabulary
    unknown: list[str]  # words that will be read as the unknown token, most frequent first

    def notes(self) -> list[str]:
        notes = []
        if self.added:
            shown = ", ".join(repr(token) for token in self.added[:20])
            notes.append(f"The base model had never seen {len(self.added)} character(s) of this text; added: {shown}.")
        if self.unknown:
            shown = ", ".join(self.unknown[:12])
            notes.append(
                f"{len(self.unknown)} word(s) of this text are not in the base model's vocabulary and are read as "
                f"unknown (most frequent: {shown})."
            )
        return notes


def adapt_vocabulary(base: PoemModel, text: str) -> Vocabulary:
    """The base's vocabulary, extended by new characters (char level) or kept as it is (word level)."""
    known = base.tokenizer
    if isinstance(known, CharTokenizer):
        added = sorted(set(text) - set(known.tokens))
        return Vocabulary(CharTokenizer([*known.tokens, *added]), added, [])
    counts = Counter(piece for piece in known.split(text) if piece not in known.index)
    return Vocabulary(known, [], [word for word, _ in counts.most_common()])


def network_from_base(base: PoemModel, vocab_size: int, precision: str = "float32"):
    """A fresh network with the base's architecture and weights, grown to ``vocab_size`` tokens."""
    network = build_model(base.config, vocab_size, precision)
    old_size = base.tokenizer.vocab_size
    extra = vocab_size - old_size

    if base.config.is_transformer:
        # One table both reads the tokens in and scores them out (tied), with its own output bias.
        table, bias, *rest = base.network.get_weights()
        network.set_weights([_grown_rows(table, extra), _grown_bias(bias, extra), *rest])
        return network
    (embeddings,) = base.network.get_layer("embedding").get_weights()
    network.get_layer("embedding").set_weights([_grown_rows(embeddings, extra)])

    for old, new in zip(recurrent_layers(base.network), recurrent_layers(network), strict=True):
        new.set_weights(old.get_weights())

    kernel, bias = base.network.get_layer("logits").get_weights()
    logits = network.get_layer("logits")
    logits.set_weights([_grown_rows(kernel.T, extra).T, _grown_bias(bias, extra)])
    return network


def _grown_rows(table: np.ndarray, extra: int) -> np.ndarray:
    """``table`` with ``extra`` rows appended, each the average row (an "ordinary" token)."""
    return np.concatenate([table, np.repeat(table.mean(axis=0, keepdims=True), extra, axis=0)])


def _grown_bias(bias: np.ndarray, extra: int) -> np.ndarray:
    """``bias`` with ``extra`` entries at its lowest value (new tokens start as unlikely as the rarest)."""
    return np.concatenate([bias, np.full(extra, bias.min(), dtype=bias.dtype)])


def freeze(network, embedding: bool, layers: int) -> None:
    """Keep the embedding and/or the lowest ``layers`` recurrent layers (or Transformer blocks) fixed
    while the rest trains."""
    network.get_layer("embedding").trainable = not embedding
    for index, layer in enumerate(stacked_layers(network)):
        layer.trainable = index >= layers

"""Held-out loss of a trained model on any text, in nats per token and bits per character."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lstm_poem.network.model import PoemModel
from lstm_poem.text.corpus import CorpusError
from lstm_poem.training.data import windows
from lstm_poem.units import bits_per_char


@dataclass(frozen=True)
class Evaluation:
    loss: float  # mean nats per scored token
    bits_per_char: float  # total nats / characters of the scored text / ln 2
    tokens: int  # tokens scored
    chars: int  # characters those tokens spell
    unknown: list[str]  # pieces of the text outside the model's vocabulary

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(poem: PoemModel, text: str, batch_size: int = 256) -> Evaluation:
    """Score ``text`` the way training scores its held-out tail: windows of the
    model's ``seq_len``, each starting from a fresh state, every position a target.

    Characters the model never saw are skipped; unseen words count as the
    unknown word. Both are listed in the result.
    """
    encoded = poem.tokenizer.encode(text, skip_unknown=False)
    if len(encoded.ids) < 2:
        raise CorpusError("The text has fewer than two tokens the model knows, so there is nothing to score.")
    inputs, targets = windows(np.asarray(encoded.ids, np.int32), poem.seq_len)
    total = 0.0
    for start in range(0, len(inputs), batch_size):
        logits = np.asarray(poem.network(inputs[start : start + batch_size], training=False), dtype=np.float64)
        batch_targets = targets[start : start + batch_size]
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=-1))
        picked = np.take_along_axis(shifted, batch_targets[..., None], axis=-1)[..., 0]
        total += float((log_norm - picked).sum())
    tokens = int(targets.size)
    chars = len(poem.tokenizer.decode(targets.reshape(-1).tolist()))
    return Evaluation(
        loss=total / tokens,
        bits_per_char=bits_per_char(total / tokens, tokens, chars),
        tokens=tokens,
        chars=chars,
        unknown=encoded.unknown,
    )

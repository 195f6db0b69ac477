"""Held-out loss of a trained model on any text, in nats per token and bits per character."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lstm_poem.checks import check_int
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
    window: int  # tokens per window, each read from an empty context
    min_context: int  # tokens each scored token had before it in its window, at least

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(
    poem: PoemModel, text: str, batch_size: int = 256, window: int | None = None, min_context: int = 0
) -> Evaluation:
    """Score ``text`` the way training scores its held-out tail: windows of ``window`` tokens (the
    model's training window unless given), each starting from a fresh state, every position a target.

    With ``min_context`` the windows overlap instead, so that every token after the first
    ``min_context`` is scored once, with at least that many tokens before it in its window: an LSTM
    and a Transformer are then scored alike, neither charged for guessing a window's first
    characters blind.

    Characters the model never saw are skipped; unseen words count as the
    unknown word. Both are listed in the result. Raises :class:`ConfigError` for a window a
    Transformer cannot read or a context the window cannot hold.
    """
    window = window or poem.seq_len
    check_int("window", window, 2, poem.config.context if poem.config.is_transformer else 100_000)
    check_int("min_context", min_context, 0, window - 1)
    encoded = poem.tokenizer.encode(text, skip_unknown=False)
    if len(encoded.ids) < 2:
        raise CorpusError("The text has fewer than two tokens the model knows, so there is nothing to score.")
    ids = np.asarray(encoded.ids, np.int32)
    if min_context == 0:
        inputs, targets = windows(ids, window)
    else:
        inputs, targets = overlapping_windows(ids, window, min_context)
    first = max(min_context - 1, 0)  # the first position of a window that is scored
    total = 0.0
    for start in range(0, len(inputs), batch_size):
        logits = np.asarray(poem.network(inputs[start : start + batch_size], training=False), dtype=np.float64)
        logits, batch_targets = logits[:, first:], targets[start : start + batch_size, first:]
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=-1))
        picked = np.take_along_axis(shifted, batch_targets[..., None], axis=-1)[..., 0]
        total += float((log_norm - picked).sum())
    scored = targets[:, first:]
    tokens = int(scored.size)
    chars = len(poem.tokenizer.decode(scored.reshape(-1).tolist()))
    return Evaluation(
        loss=total / tokens,
        bits_per_char=bits_per_char(total / tokens, tokens, chars),
        tokens=tokens,
        chars=chars,
        unknown=encoded.unknown,
        window=window,
        min_context=min_context,
    )


def overlapping_windows(ids: np.ndarray, window: int, min_context: int) -> tuple[np.ndarray, np.ndarray]:
    """(input, target) windows of ``window`` tokens, each starting ``window - min_context + 1`` after the
    last, so that scoring positions ``min_context - 1`` onwards scores every target from token
    ``min_context`` on exactly once; a ragged tail is dropped. Raises :class:`CorpusError` when the
    text is shorter than one window."""
    step = window - min_context + 1
    count = (len(ids) - 1 - window) // step + 1
    if count < 1:
        raise CorpusError(f"The text has {len(ids)} tokens; scoring with context needs at least {window + 1}.")
    starts = np.arange(count)[:, None] * step + np.arange(window + 1)[None, :]
    chunks = ids[starts]
    return chunks[:, :-1], chunks[:, 1:]

"""Look inside a trained network: every gate and state, one character at a time.

:func:`trace` re-runs the model in NumPy from its own weights, one step at a
time, and keeps what Keras hides: for an LSTM the input, forget and output
gates, the candidate memory and the cell state; for a GRU the update and reset
gates and the candidate; for every cell the hidden state. The equations are
Keras's own (LSTM gate order i, f, c, o; GRU with ``reset_after``), so the
hidden states match the Keras layers to float precision (tested).

:func:`interesting_units` ranks units by how strongly they follow simple
features of the text, the way the well-known "a cell that tracks line length"
pictures were found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_poem.network.model import PoemModel, recurrent_layers

# Plain-language names for what each cell computes at every step, in display order.
QUANTITIES = {
    "lstm": ("forget gate", "input gate", "candidate", "cell state", "output gate", "hidden state"),
    "gru": ("update gate", "reset gate", "candidate", "hidden state"),
    "rnn": ("hidden state",),
}


@dataclass(frozen=True)
class LayerTrace:
    """One recurrent layer's values after each step: each array is [steps, units]."""

    cell: str  # "lstm" | "gru" | "rnn"
    values: dict[str, np.ndarray]  # keyed by the names in QUANTITIES[cell]

    @property
    def memory(self) -> np.ndarray:
        """What the layer carries to the next step: the cell state (LSTM) or the hidden state."""
        return self.values.get("cell state", self.values["hidden state"])


@dataclass(frozen=True)
class Trace:
    """The network read ``pieces`` one token at a time; row t is the state after reading piece t."""

    pieces: list[str]
    ids: np.ndarray  # [steps]
    layers: list[LayerTrace]
    logits: np.ndarray  # [steps, vocab]: the odds of the token after piece t


@dataclass(frozen=True)
class Finding:
    """A unit whose memory follows a feature of the text."""

    layer: int  # 0-based
    unit: int
    feature: str
    correlation: float  # Pearson r between the unit's memory and the feature, over the steps


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lstm(x: np.ndarray, weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    kernel, recurrent, bias = weights
    units = recurrent.shape[0]
    h, c = np.zeros(units), np.zeros(units)
    names = QUANTITIES["lstm"]
    rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for x_t in x @ kernel + bias:
        z = x_t + h @ recurrent
        i, f = _sigmoid(z[:units]), _sigmoid(z[units : 2 * units])
        candidate, o = np.tanh(z[2 * units : 3 * units]), _sigmoid(z[3 * units :])
        c = f * c + i * candidate
        h = o * np.tanh(c)
        for name, value in zip(names, (f, i, candidate, c, o, h)):
            rows[name].append(value)
    return {name: np.array(values) for name, values in rows.items()}


def _gru(x: np.ndarray, weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    kernel, recurrent, bias = weights
    units = recurrent.shape[0]
    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    h = np.zeros(units)
    names = QUANTITIES["gru"]
    rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for x_t in x @ kernel + input_bias:
        r_t = h @ recurrent + recurrent_bias
        update = _sigmoid(x_t[:units] + r_t[:units])
        reset = _sigmoid(x_t[units : 2 * units] + r_t[units : 2 * units])
        candidate = np.tanh(x_t[2 * units :] + reset * r_t[2 * units :])  # Keras's reset_after=True
        h = update * h + (1.0 - update) * candidate
        for name, value in zip(names, (update, reset, candidate, h)):
            rows[name].append(value)
    return {name: np.array(values) for name, values in rows.items()}


def _rnn(x: np.ndarray, weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    kernel, recurrent, bias = weights
    h = np.zeros(recurrent.shape[0])
    rows = []
    for x_t in x @ kernel + bias:
        h = np.tanh(x_t + h @ recurrent)
        rows.append(h)
    return {"hidden state": np.array(rows)}


_STEP = {"lstm": _lstm, "gru": _gru, "rnn": _rnn}


def trace(poem: PoemModel, text: str, max_tokens: int = 600) -> Trace:
    """Run ``text`` (its first ``max_tokens`` known tokens) through the network step by step.

    Unknown characters or words are skipped, as when seeding a poem. Raises
    ValueError when nothing of the text is known to the model, or when the model
    is a Transformer (it has no gates: :func:`lstm_poem.network.transformer.attention_map`
    shows where it looks instead).
    """
    if poem.config.is_transformer:
        raise ValueError("A Transformer has no gates or memory cells to trace; look at its attention instead.")
    ids = np.asarray(poem.tokenizer.encode(text).ids[:max_tokens], dtype=np.int64)
    if len(ids) == 0:
        raise ValueError("None of this text is in the model's vocabulary.")
    network = poem.network
    x = network.get_layer("embedding").get_weights()[0][ids].astype(np.float64)
    layers = []
    for layer in recurrent_layers(network):
        weights = [w.astype(np.float64) for w in layer.get_weights()]
        values = _STEP[poem.config.cell](x, weights)
        layers.append(LayerTrace(poem.config.cell, values))
        x = values["hidden state"]  # dropout is off when reading
    kernel, bias = network.get_layer("logits").get_weights()
    return Trace(
        pieces=poem.tokenizer.pieces(ids.tolist()),
        ids=ids,
        layers=layers,
        logits=x @ kernel + bias,
    )


def text_features(pieces: list[str]) -> dict[str, np.ndarray]:
    """Simple facts about each position, for finding units that track them."""
    column, columns = 0, []
    for piece in pieces:
        column = 0 if piece == "\n" else column + len(piece)
        columns.append(column)
    return {
        "position in the line": np.array(columns, dtype=float),
        "inside a word": np.array([piece.strip().isalpha() for piece in pieces], dtype=float),
        "just after a line break": np.array([piece == "\n" for piece in pieces], dtype=float),
        "a vowel": np.array([len(piece) == 1 and piece.lower() in "aeiouy" for piece in pieces], dtype=float),
        "a space": np.array([piece == " " for piece in pieces], dtype=float),
    }


def correlations(values: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson r between each unit's values [steps, units] and a feature [steps]; NaN where either is constant."""
    centred = values - values.mean(axis=0)
    f = feature - feature.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (centred * f[:, None]).sum(axis=0) / (np.sqrt((centred**2).sum(axis=0)) * np.sqrt((f**2).sum()))


def interesting_units(result: Trace, top: int = 8) -> list[Finding]:
    """Units whose memory correlates most strongly with a text feature (best first, one entry per unit)."""
    features = text_features(result.pieces)
    best: dict[tuple[int, int], Finding] = {}
    for layer_index, layer in enumerate(result.layers):
        for name, feature in features.items():
            r = correlations(layer.memory, feature)
            for unit in np.flatnonzero(np.isfinite(r)):  # a feature the text never varies gives no finding
                finding = Finding(layer_index, int(unit), name, float(r[unit]))
                key = (layer_index, int(unit))
                if key not in best or abs(finding.correlation) > abs(best[key].correlation):
                    best[key] = finding
    return sorted(best.values(), key=lambda f: -abs(f.correlation))[:top]

"""What a Transformer's attention heads look at, as a chart, shaded text and a sentence per head.

Plain NumPy in (an :class:`lstm_poem.network.transformer.AttentionMap`'s arrays), Altair and HTML out, like
:mod:`lstm_poem.teaching.inside_charts`, so the Inside page draws them without TensorFlow.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np

from lstm_poem.teaching.inside_charts import CELL_PIXELS, SEQUENTIAL, visible

# Drawn above this many tokens, a square map's cells would be too small to hover.
MAX_MAP_TOKENS = 120


@dataclass(frozen=True)
class HeadHabit:
    """One head's habit over a text: how far back it looks, and how much on the token just before."""

    layer: int  # 0-based
    head: int  # 0-based
    mean_distance: float  # tokens back, weighted by attention (0 = itself)
    on_previous: float  # share of attention on the token just before (from the second token on)
    on_itself: float  # share of attention on the token being read

    @property
    def sentence(self) -> str:
        if self.on_previous >= 0.5:
            return f"mostly reads the character just before ({self.on_previous:.0%} of its attention)"
        if self.on_itself >= 0.5:
            return f"mostly looks at the character it is on ({self.on_itself:.0%})"
        if self.mean_distance >= 8:
            return f"looks far back, {self.mean_distance:.0f} characters on average: a line or word it saw earlier"
        return f"spreads its attention over the last few characters ({self.mean_distance:.1f} back on average)"


def head_habits(weights: Sequence[np.ndarray]) -> list[HeadHabit]:
    """Every head's habit, from per-layer ``[heads, tokens, tokens]`` attention weights."""
    habits = []
    for layer, layer_weights in enumerate(weights):
        heads, tokens, _ = layer_weights.shape
        distance = np.arange(tokens)[:, None] - np.arange(tokens)[None, :]  # reader minus read
        for head in range(heads):
            w = layer_weights[head]
            previous = np.diagonal(w, offset=-1)  # row i, column i - 1
            habits.append(
                HeadHabit(
                    layer=layer,
                    head=head,
                    mean_distance=float((w * np.maximum(distance, 0)).sum(axis=1).mean()),
                    on_previous=float(previous.mean()) if len(previous) else 0.0,
                    on_itself=float(np.diagonal(w).mean()),
                )
            )
    return habits


def attention_heatmap(pieces: Sequence[str], weights: np.ndarray) -> alt.Chart:
    """One head: the token being read down the side, the tokens it looks at along the top, colour = weight.

    Only the first :data:`MAX_MAP_TOKENS` tokens are drawn."""
    shown = min(len(pieces), MAX_MAP_TOKENS)
    keys = [f"{i:05d}{visible(p)}" for i, p in enumerate(pieces[:shown])]
    rows = [
        {"reading": keys[i], "looks at": keys[j], "weight": float(weights[i, j]), "read": visible(pieces[i]),
         "seen": visible(pieces[j]), "back": i - j}
        for i in range(shown)
        for j in range(i + 1)
        if weights[i, j] >= 0.005  # the rest would be white anyway; dropping them keeps the chart small
    ]  # fmt: skip
    axis = alt.Axis(labelExpr="slice(datum.label, 5)", labelAngle=0, labelFontSize=11)
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_rect()
        .encode(
            x=alt.X("looks at:O", sort=keys, axis=axis, title="the characters it can see (earlier ones only)"),
            y=alt.Y("reading:O", sort=keys, axis=axis, title="the character being read"),
            color=alt.Color("weight:Q", scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]), title="attention"),
            tooltip=["read:N", "seen:N", "back:Q", alt.Tooltip("weight:Q", format=".2f")],
        )
        .properties(description="attention map", width=CELL_PIXELS * shown, height=CELL_PIXELS * shown)
    )


def attended_text_html(pieces: Sequence[str], row: np.ndarray, position: int) -> str:
    """The text up to ``position`` (0-based), each piece shaded by how much the reader there attends to it;
    the piece being read is underlined and the text after it, which it cannot see, is grey."""
    peak = float(row[: position + 1].max()) or 1.0
    out = []
    for i, piece in enumerate(pieces):
        if i > position:
            style = "color: #999"
        else:
            strength = round(min(float(row[i]) / peak, 1.0) * 0.85, 2)
            style = f"background: rgba(245, 133, 24, {strength})"
            if i == position:
                style += "; text-decoration: underline 3px"
        title = f' title="{float(row[i]):.2f}"' if i <= position else ""
        opening = f'<span style="{style}"{title}>'
        parts = [opening + html.escape(part) + "</span>" if part else "" for part in piece.split("\n")]
        out.append("\n".join(parts))
    return "".join(out)

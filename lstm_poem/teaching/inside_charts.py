"""Altair charts and HTML for the Inside page: what each unit does at each character.

Like :mod:`lstm_poem.teaching.loss_charts`, every builder takes plain NumPy arrays and
inlines its data, so no pandas or Streamlit is needed, and each chart carries a
constant ``description`` for tests.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import altair as alt
import numpy as np

from lstm_poem.training.records import EpochRecord

# Diverging colours for values that are negative or positive (states); gates run from 0 to 1.
DIVERGING = "redblue"
SEQUENTIAL = "viridis"
CELL_PIXELS = 11


def visible(piece: str) -> str:
    """A printable label for a piece of text: newline and space are spelled out."""
    return {"\n": "⏎", " ": "␣", "\t": "⇥"}.get(piece, piece)


def _position_keys(pieces: Sequence[str]) -> list[str]:
    # Zero-padded so the order survives Vega-Lite's sorting; the axis shows only the character.
    return [f"{i:05d}{visible(piece)}" for i, piece in enumerate(pieces)]


def activation_heatmap(
    pieces: Sequence[str], values: np.ndarray, units: Sequence[int], quantity: str, is_gate: bool
) -> alt.Chart:
    """Characters along x, the chosen ``units`` (in that order) along y, colour = value."""
    keys = _position_keys(pieces)
    rows = [
        {"position": key, "character": visible(piece), "step": i + 1, "unit": f"unit {u}", "value": float(values[i, u])}
        for i, (key, piece) in enumerate(zip(keys, pieces))
        for u in units
    ]
    scale = alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]) if is_gate else alt.Scale(scheme=DIVERGING, domainMid=0)
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_rect()
        .encode(
            x=alt.X(
                "position:O",
                title="the text, one character per column",
                sort=keys,
                axis=alt.Axis(labelExpr="slice(datum.label, 5)", labelAngle=0, labelFontSize=11),
            ),
            y=alt.Y("unit:O", sort=[f"unit {u}" for u in units], title=None),
            color=alt.Color("value:Q", scale=scale, title=quantity),
            tooltip=["step:Q", "character:N", "unit:N", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(
            description="activation heatmap",
            width=max(CELL_PIXELS * len(pieces), 200),
            height=CELL_PIXELS * len(units),
        )
    )


def one_step_chart(values: dict[str, np.ndarray], step: int, units: Sequence[int]) -> alt.Chart:
    """Every quantity of one step for a few units: the gates, candidate and states side by side."""
    names = list(values)
    rows = [
        {"quantity": name, "unit": f"unit {u}", "value": float(values[name][step, u])} for name in names for u in units
    ]
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("unit:O", sort=[f"unit {u}" for u in units], title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("quantity:N", sort=names, title=None),
            color=alt.Color("value:Q", scale=alt.Scale(scheme=DIVERGING, domain=[-1, 1], clamp=True), title="value"),
            tooltip=["quantity:N", "unit:N", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(description="one step", width="container", height=36 * len(names))
    )


def unit_text_html(pieces: Sequence[str], values: np.ndarray) -> str:
    """The text with each character's background coloured by one unit's value: blue +, red -, as in the heat map."""
    peak = float(np.max(np.abs(values))) or 1.0
    out = []
    for piece, value in zip(pieces, values):
        strength = round(min(abs(float(value)) / peak, 1.0) * 0.85, 2)
        colour = f"rgba(33, 102, 172, {strength})" if value >= 0 else f"rgba(178, 24, 43, {strength})"
        opening = f'<span style="background: {colour}" title="{float(value):+.3f}">'
        parts = [opening + html.escape(part) + "</span>" if part else "" for part in piece.split("\n")]
        out.append("\n".join(parts))
    return "".join(out)


def learning_timeline(epochs: Sequence[EpochRecord]) -> alt.Chart:
    """Held-out loss per epoch, with each epoch's sample in the tooltip."""
    rows = [{"epoch": r.epoch, "held-out loss": r.val_loss, "sample": r.sample[:200]} for r in epochs]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("held-out loss:Q", scale=alt.Scale(zero=False)),
    )
    return alt.layer(
        base.mark_line(color="#f58518"),
        base.mark_point(filled=True, color="#f58518", size=60).encode(
            tooltip=["epoch:Q", alt.Tooltip("held-out loss:Q", format=".3f"), "sample:N"]
        ),
    ).properties(description="learning timeline", width="container", height=220)

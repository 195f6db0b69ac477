"""Altair charts of one sampling step (pure functions of :class:`~lstm_poem.stepper.Step` -> alt.Chart).

:func:`step_odds_chart` shows one column's odds as bars with the pick highlighted;
:func:`draw_chart` lays every column's odds end to end on [0, 1), one row per
column, and marks where the step's random number fell, so a shared draw shows as
one vertical line crossing every row.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from lstm_poem.charts import OTHER_LABEL
from lstm_poem.stepper import ColumnStep, Step

PICKED = "#e45756"  # the pick, in every chart
UNPICKED = ["#4c78a8", "#9ecae9"]  # alternate, so neighbouring stretches stay apart
DRAW = "#111418"
ROW_HEIGHT = 44
SMALLEST_LABELLED = 0.05  # stretches narrower than this are left unlabelled


def column_label(index: int, temperature: float) -> str:
    """Row label of a column in the draw chart, e.g. "1: T = 0.5" (unique even if two temperatures match)."""
    return f"{index + 1}: T = {temperature:g}"


def _picked_row(column: ColumnStep) -> int:
    """Position of the pick among the shown rows (the last, "other", when it is not among the candidates)."""
    return column.rank - 1 if column.rank <= len(column.candidates) else len(column.candidates)


def step_odds_chart(column: ColumnStep, token: str = "character", height: int = 240) -> alt.Chart:
    """Bars of the likeliest next tokens at this column's temperature, the pick in red."""
    labels = [*column.candidates, OTHER_LABEL]
    picked = _picked_row(column)
    rows = [
        {"token": label, "probability": p, "picked": i == picked, "shown": f"{p:.0%}"}
        for i, (label, p) in enumerate(zip(labels, [*column.probs, column.other]))
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("token:N", sort=labels, title=f"next {token}", axis=alt.Axis(labelFontSize=15)),
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="probability"),
    )
    bars = base.mark_bar().encode(
        color=alt.condition("datum.picked", alt.value(PICKED), alt.value(UNPICKED[0])),
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("probability:Q", format=".2%")],
    )
    text = base.mark_text(align="left", dx=4).encode(text="shown:N")
    return alt.layer(bars, text).properties(description="step odds", width="container", height=height)


def draw_chart(step: Step, token: str = "character") -> alt.Chart:
    """One row per column: its odds laid end to end on [0, 1) (likeliest first), the pick's stretch in red,
    and a black mark where the random number fell (hand-picked steps have none)."""
    segments, draws = [], []
    labels = [column_label(i, c.temperature) for i, c in enumerate(step.columns)]
    for label, column in zip(labels, step.columns):
        segments += _segments(label, column)
        if not column.by_hand:
            draws.append({"column": label, "draw": column.draw, "shown": f"u = {column.draw:.3f}"})
    shared = len(draws) > 1 and len({d["draw"] for d in draws}) == 1
    title = f"the {token}s laid end to end on 0 to 1"
    if shared:  # one number for every row: say it once, in the axis title, instead of on every row
        title = f"one random number for every column, u = {draws[0]['draw']:.3f} (black); {title}"
        draws = [{**d, "shown": ""} for d in draws]
    y = alt.Y("column:N", sort=labels, title=None, axis=alt.Axis(labelFontSize=14))
    stretches = (
        alt.Chart(alt.Data(values=segments))
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("start:Q", scale=alt.Scale(domain=[0, 1]), title=title, axis=alt.Axis(titleFontSize=14)),
            x2="end:Q",
            y=y,
            color=alt.Color("fill:N", scale=None),
            tooltip=[alt.Tooltip("token:N"), alt.Tooltip("probability:Q", format=".2%")],
        )
    )
    names = (
        alt.Chart(alt.Data(values=[s for s in segments if s["probability"] >= SMALLEST_LABELLED]))
        .mark_text(color="white", fontSize=15, fontWeight="bold")
        .encode(x="middle:Q", y=y, text="token:N")
    )
    draw_base = alt.Chart(alt.Data(values=draws)).encode(x="draw:Q", y=y)
    marks = draw_base.mark_tick(color=DRAW, thickness=4, size=ROW_HEIGHT - 4)
    values = draw_base.mark_text(align="left", dx=6, dy=-14, color=DRAW, fontWeight="bold").encode(text="shown:N")
    return alt.layer(stretches, names, marks, values).properties(
        description="draw", width="container", height=ROW_HEIGHT * len(step.columns) + 20
    )


def _segments(label: str, column: ColumnStep) -> list[dict]:
    picked = _picked_row(column)
    shown: Sequence[tuple[str, float]] = [*zip(column.candidates, column.probs), (OTHER_LABEL, column.other)]
    rows, start = [], 0.0
    for i, (name, p) in enumerate(shown):
        if p <= 0:
            continue
        fill = PICKED if i == picked else UNPICKED[i % 2]
        end = start + p
        rows.append({"column": label, "token": name, "probability": p, "start": start, "end": end,
                     "middle": (start + end) / 2, "fill": fill})
        start = end
    return rows

"""Charts of one sampling step: pure functions of a :class:`~lstm_poem.teaching.stepper.Step` -> a Vega-Lite spec.

:func:`step_odds_spec` shows one column's odds as bars with the pick highlighted;
:func:`draw_spec` lays every column's odds end to end on [0, 1), one row per
column, and marks where the step's random number fell, so a shared draw shows as
one vertical line crossing every row.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import altair as alt

from lstm_poem.teaching.odds_charts import OTHER_LABEL
from lstm_poem.teaching.stepper import ColumnStep, Step

PICKED = "#e45756"  # the pick, in every chart
UNPICKED = ["#4c78a8", "#9ecae9"]  # alternate, so neighbouring stretches stay apart
DRAW = "#111418"
ROW_HEIGHT = 44
ODDS_HEIGHT = 240
TITLE_PLACEHOLDER = "@@title@@"  # the draw chart's axis title, filled in per step
SMALLEST_LABELLED = 0.05  # stretches narrower than this are left unlabelled


def column_label(index: int, temperature: float) -> str:
    """Row label of a column in the draw chart, e.g. "1: T = 0.5" (unique even if two temperatures match)."""
    return f"{index + 1}: T = {temperature:g}"


def _picked_row(column: ColumnStep) -> int:
    """Position of the pick among the shown rows (the last, "other", when it is not among the candidates)."""
    return column.rank - 1 if column.rank <= len(column.candidates) else len(column.candidates)


def step_odds_spec(column: ColumnStep, token: str = "character") -> dict[str, Any]:
    """Bars of the likeliest next tokens at this column's temperature, the pick in red (a Vega-Lite spec).

    Played at up to four steps a second by a whole class, so Altair builds each chart's shape once
    (:func:`_odds_template`) and a step only fills in the data."""
    labels = [*column.candidates, OTHER_LABEL]
    picked = _picked_row(column)
    rows = [
        {"token": label, "order": i, "probability": p, "picked": i == picked, "shown": f"{p:.0%}"}
        for i, (label, p) in enumerate(zip(labels, [*column.probs, column.other]))
    ]
    spec = json.loads(_odds_template(token))
    spec["datasets"] = {"odds": rows}
    return spec


def draw_spec(step: Step, token: str = "character") -> dict[str, Any]:
    """One row per column: its odds laid end to end on [0, 1) (likeliest first), the pick's stretch in red,
    and a black mark where the random number fell (hand-picked steps have none). A Vega-Lite spec."""
    segments, draws = [], []
    labels = [column_label(i, c.temperature) for i, c in enumerate(step.columns)]
    for row, (label, column) in enumerate(zip(labels, step.columns)):
        segments += _segments(row, label, column)
        if not column.by_hand:
            draws.append({"column": label, "row": row, "draw": column.draw, "shown": f"u = {column.draw:.3f}"})
    title = f"the {token}s laid end to end on 0 to 1, likeliest first"
    if len(draws) > 1 and len({d["draw"] for d in draws}) == 1:
        # One number for every row: said once, in the axis title, rather than on every row.
        title = f"one random number for every column, u = {draws[0]['draw']:.3f} (black); {title}"
        draws = [{**d, "shown": ""} for d in draws]
    spec = json.loads(_draw_template().replace(TITLE_PLACEHOLDER, title.replace('"', "'")))
    spec["datasets"] = {"segments": segments, "names": [s for s in segments if s["probability"] >= SMALLEST_LABELLED],
                        "draws": draws}
    return spec


@functools.lru_cache(maxsize=4)
def _odds_template(token: str) -> str:
    base = alt.Chart(alt.NamedData("odds")).encode(
        y=alt.Y("token:N", sort=alt.EncodingSortField("order"), title=f"next {token}",
                axis=alt.Axis(labelFontSize=15)),
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="probability"),
    )
    bars = base.mark_bar().encode(
        color=alt.condition("datum.picked", alt.value(PICKED), alt.value(UNPICKED[0])),
        tooltip=[alt.Tooltip("token:N"), alt.Tooltip("probability:Q", format=".2%")],
    )
    text = base.mark_text(align="left", dx=4).encode(text="shown:N")
    chart = alt.layer(bars, text).properties(description="step odds", width="container", height=ODDS_HEIGHT)
    return json.dumps(chart.to_dict())


@functools.lru_cache(maxsize=1)
def _draw_template() -> str:
    y = alt.Y("column:N", sort=alt.EncodingSortField("row"), title=None, axis=alt.Axis(labelFontSize=14))
    stretches = (
        alt.Chart(alt.NamedData("segments"))
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("start:Q", scale=alt.Scale(domain=[0, 1]), title=TITLE_PLACEHOLDER,
                    axis=alt.Axis(titleFontSize=14)),
            x2="end:Q",
            y=y,
            color=alt.Color("fill:N", scale=None),
            tooltip=[alt.Tooltip("token:N"), alt.Tooltip("probability:Q", format=".2%")],
        )
    )
    names = (
        alt.Chart(alt.NamedData("names"))
        .mark_text(color="white", fontSize=15, fontWeight="bold")
        .encode(x="middle:Q", y=y, text="token:N")
    )
    draw_base = alt.Chart(alt.NamedData("draws")).encode(x="draw:Q", y=y)
    marks = draw_base.mark_tick(color=DRAW, thickness=4, size=ROW_HEIGHT - 4)
    values = draw_base.mark_text(align="left", dx=6, dy=-14, color=DRAW, fontWeight="bold").encode(text="shown:N")
    chart = alt.layer(stretches, names, marks, values).properties(
        description="draw", width="container", height=alt.Step(ROW_HEIGHT)  # a row's height, however many rows
    )
    return json.dumps(chart.to_dict())


def _segments(row: int, label: str, column: ColumnStep) -> list[dict]:
    picked = _picked_row(column)
    shown: Sequence[tuple[str, float]] = [*zip(column.candidates, column.probs), (OTHER_LABEL, column.other)]
    rows, start = [], 0.0
    for i, (name, p) in enumerate(shown):
        if p <= 0:
            continue
        fill = PICKED if i == picked else UNPICKED[i % 2]
        end = start + p
        rows.append({"column": label, "row": row, "token": name, "probability": p, "start": start, "end": end,
                     "middle": (start + end) / 2, "fill": fill})
        start = end
    return rows

"""The compared-runs chart: held-out loss per epoch of several trainings (the Train page and the class board).

Each run has its own colour (Okabe-Ito), dash and point shape, so two runs stay apart
for a colour-blind reader and in grey print; the chart's ``description`` names each
run's best epoch in words, for a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from lstm_poem.teaching.chart_style import CATEGORICAL, DASHES, HEIGHT, SHAPES, cycled, json_number
from lstm_poem.training.records import EpochRecord

Runs = Sequence[tuple[str, Sequence[EpochRecord]]]


def runs_summary(runs: Runs, unit: str = "nats per character") -> str:
    """The chart in words: each run's best held-out loss and its epoch."""
    done = [(label, history[-1]) for label, history in runs if history]
    if not done:
        return "Compared runs: no run has finished an epoch yet."
    each = "; ".join(f"{label}: best {last.best_val_loss:.3f} at epoch {last.best_epoch}" for label, last in done)
    return f"Compared runs, held-out loss in {unit} (lower is better). {each}."


def runs_chart(runs: Runs, unit: str = "nats per character") -> alt.LayerChart:
    """Held-out loss per epoch of several finished runs, one line per run, with each run's best epoch.

    Layers by ``description``: "held-out loss" (lines) and "best epochs" (one point per run).
    ``runs`` pairs a label (shown in the legend, so make them unique) with that run's history.
    """
    labels = [label for label, _ in runs]
    line_rows = [
        {"run": label, "epoch": e.epoch, "val_loss": json_number(e.val_loss)}
        for label, history in runs
        for e in history
    ]
    best_rows = [
        {"run": label, "epoch": history[-1].best_epoch, "val_loss": json_number(history[-1].best_val_loss)}
        for label, history in runs
        if history
    ]
    # Fixing the domains keeps each run's colour, dash, shape and legend position as given, however the
    # data is ordered.
    legend = alt.Legend(orient="bottom", labelLimit=400)
    color = alt.Color(
        "run:N", title=None, scale=alt.Scale(domain=labels, range=cycled(CATEGORICAL, len(labels))), legend=legend
    )
    dash = alt.StrokeDash(
        "run:N", title=None, scale=alt.Scale(domain=labels, range=cycled(DASHES, len(labels))), legend=legend
    )
    shape = alt.Shape(
        "run:N", title=None, scale=alt.Scale(domain=labels, range=cycled(SHAPES, len(labels))), legend=legend
    )
    x = alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1))
    y = alt.Y("val_loss:Q", title=f"held-out loss ({unit})", scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("run:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("val_loss:Q", title="held-out", format=".3f")]

    lines = (
        alt.Chart(alt.Data(values=line_rows))
        .mark_line()
        .encode(x=x, y=y, color=color, strokeDash=dash, tooltip=tooltip)
        .properties(description="held-out loss")
    )
    best = (
        alt.Chart(alt.Data(values=best_rows))
        .mark_point(filled=True, size=80)
        .encode(x=x, y=y, color=color, shape=shape, tooltip=tooltip)
        .properties(description="best epochs")
    )
    return alt.layer(lines, best).properties(
        width="container", height=HEIGHT, description=runs_summary(runs, unit)
    )

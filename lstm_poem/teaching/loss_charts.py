"""The Train page's live loss chart: per-batch loss, per-epoch training and held-out loss, the best epoch.

The builders take the engine's own records (:class:`~lstm_poem.training.records.EpochRecord`,
:class:`~lstm_poem.training.records.BatchRecord`) and inline their data as plain records, so this module
needs neither pandas nor Streamlit. Each layer carries a constant ``description`` so a page (or a test)
can tell the layers apart in ``chart.to_dict()``; the chart's own ``description`` says in words what it
shows, for a screen reader.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import altair as alt

from lstm_poem.teaching.chart_style import (
    HEIGHT,
    SERIES,
    SERIES_COLOURS,
    SERIES_DASHES,
    SERIES_SHAPES,
    json_number,
)
from lstm_poem.training.records import BatchRecord, EpochRecord

# The faint per-batch curve is drawn from at most this many points (means of neighbouring
# batches): the chart is rebuilt every second while training, and Altair's cost grows with rows.
MAX_BATCH_POINTS_DRAWN = 200

Rows = list[dict[str, Any]]


def _thinned(batches: Sequence[BatchRecord], most: int) -> list[tuple[float, float]]:
    """(x, loss) per batch, where batch b of n in epoch e sits at x = (e - 1) + b / n, between the
    integer epochs; beyond ``most`` points, consecutive batches are averaged into ``most`` groups."""
    points = [((b.epoch - 1) + b.batch / b.batches, b.loss) for b in batches]
    if len(points) <= most:
        return points
    size = len(points) / most
    groups = [points[round(i * size) : round((i + 1) * size)] for i in range(most)]
    return [(sum(x for x, _ in group) / len(group), sum(y for _, y in group) / len(group)) for group in groups]


def loss_chart_rows(
    epochs: Sequence[EpochRecord], batches: Sequence[BatchRecord] = (), *, stopped_early: bool = False
) -> dict[str, Rows]:
    """The loss chart's data, one list of rows per layer, keyed by the layer's ``description``."""
    batch_rows = [{"epoch": x, "loss": json_number(loss)} for x, loss in _thinned(batches, MAX_BATCH_POINTS_DRAWN)]
    epoch_rows = [
        {"epoch": e.epoch, "series": series, "loss": json_number(loss)}
        for e in epochs
        for series, loss in zip(SERIES, (e.loss, e.val_loss))
    ]
    best_rows: Rows = []
    if epochs and json_number(epochs[-1].best_val_loss) is not None:
        last = epochs[-1]
        label = f"best: epoch {last.best_epoch} ({last.best_val_loss:.3f})"
        best_rows = [{"epoch": last.best_epoch, "loss": last.best_val_loss, "label": label}]
    data = {"batch loss": batch_rows, "epoch loss": epoch_rows, "best epoch": best_rows}
    if stopped_early:
        stop_rows: Rows = []
        if epochs:
            last = epochs[-1]
            label = f"stopped at epoch {last.epoch}, restored epoch {last.best_epoch}"
            stop_rows = [{"epoch": last.epoch, "label": label}]
        data["early stop"] = stop_rows
    return data


def loss_summary(epochs: Sequence[EpochRecord], unit: str = "nats per character") -> str:
    """The chart in words: the last epoch's two losses and the best held-out loss."""
    if not epochs:
        return "Loss chart: no epoch has finished yet."
    last = epochs[-1]
    return (
        f"Loss chart: after epoch {last.epoch}, training loss {last.loss:.3f} and held-out loss "
        f"{last.val_loss:.3f} {unit}; the best held-out loss, {last.best_val_loss:.3f}, was at epoch "
        f"{last.best_epoch}."
    )


def _loss_chart_template(unit: str, stopped_early: bool) -> alt.LayerChart:
    """The loss chart without its data: each layer reads the named dataset of its ``description``."""
    x = alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1))
    y = alt.Y("loss:Q", title=f"loss ({unit})", scale=alt.Scale(zero=False))

    batch_layer = (
        alt.Chart(alt.NamedData("batch loss"))
        .mark_line(strokeWidth=1, opacity=0.3, color=SERIES_COLOURS[0])
        .encode(x=x, y=y)
        .properties(description="batch loss")
    )
    epoch_layer = (
        alt.Chart(alt.NamedData("epoch loss"))
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_COLOURS)),
            strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_DASHES)),
            shape=alt.Shape("series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_SHAPES)),
            tooltip=[
                alt.Tooltip("series:N", title="loss"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("loss:Q", format=".3f"),
            ],
        )
        .properties(description="epoch loss")
    )
    best_base = alt.Chart().encode(x=x)
    best_layer = alt.layer(
        best_base.mark_rule(color="gray", strokeWidth=1),
        best_base.mark_point(color="black", filled=True, size=60).encode(y=y),
        best_base.mark_text(align="left", dx=6, dy=-10).encode(y=y, text="label:N"),
        data=alt.NamedData("best epoch"),
    ).properties(description="best epoch")
    layers = [batch_layer, epoch_layer, best_layer]
    if stopped_early:
        stop_base = alt.Chart().encode(x=x)
        # The last epoch is the right edge of the plot, so the text runs leftwards from the top of the rule.
        stop_layer = alt.layer(
            stop_base.mark_rule(color="gray", strokeDash=[4, 4]),
            stop_base.mark_text(align="right", baseline="top", dx=-4).encode(y=alt.value(4), text="label:N"),
            data=alt.NamedData("early stop"),
        ).properties(description="early stop")
        layers.append(stop_layer)
    return alt.layer(*layers).properties(width="container", height=HEIGHT)


def loss_chart(
    epochs: Sequence[EpochRecord],
    batches: Sequence[BatchRecord] = (),
    *,
    stopped_early: bool = False,
    unit: str = "nats per character",
) -> alt.LayerChart:
    """The live training chart: per-batch loss, per-epoch training and held-out loss, the best epoch.

    Layers, in order, by ``description``: "batch loss", "epoch loss", "best epoch" and, only when
    ``stopped_early``, "early stop". The first three are always present (with empty data when
    there is nothing to show yet) so the chart keeps the same shape while training fills it in.
    """
    rows = loss_chart_rows(epochs, batches, stopped_early=stopped_early)
    return _loss_chart_template(unit, stopped_early).properties(datasets=rows, description=loss_summary(epochs, unit))


@functools.lru_cache(maxsize=8)
def _loss_chart_template_spec(unit: str, stopped_early: bool) -> str:
    return json.dumps(_loss_chart_template(unit, stopped_early).to_dict())


def loss_chart_spec(
    epochs: Sequence[EpochRecord],
    batches: Sequence[BatchRecord] = (),
    *,
    stopped_early: bool = False,
    unit: str = "nats per character",
) -> dict[str, Any]:
    """:func:`loss_chart` as a Vega-Lite spec, for a page that redraws it every second while training.

    Building and validating an Altair chart costs tens of milliseconds of the GIL that trainings
    need; here Altair runs once per unit, and each call only fills the template's datasets.
    """
    spec = json.loads(_loss_chart_template_spec(unit, stopped_early))
    spec["datasets"] = loss_chart_rows(epochs, batches, stopped_early=stopped_early)
    spec["description"] = loss_summary(epochs, unit)
    return spec

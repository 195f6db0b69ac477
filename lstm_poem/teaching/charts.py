"""Altair chart builders for the app's pages: training loss, run comparison, next-token odds.

Every builder takes the engine's own records (:class:`~lstm_poem.training.records.EpochRecord`,
:class:`~lstm_poem.training.records.BatchRecord`, :class:`~lstm_poem.network.generate.NextTokenOdds`) and
returns an Altair chart whose data is inlined as plain records, so this module needs
neither pandas nor Streamlit. Each layer carries a constant ``description`` so a page
(or a test) can tell the layers apart in ``chart.to_dict()``.

:func:`confidence_html` is the one non-chart helper: it shades generated text by how
likely the model thought each piece was.
"""

from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Sequence
from typing import Any

import altair as alt

from lstm_poem.network.generate import NextTokenOdds
from lstm_poem.training.records import BatchRecord, EpochRecord

HEIGHT = 320
SERIES = ["training", "held-out"]
SERIES_COLOURS = ["#4c78a8", "#f58518"]
# No token can be spelled "(other)": word tokens are letters, digits or a single symbol.
OTHER_LABEL = "(other)"
SHADE_RGB = (255, 140, 0)  # orange: the less likely the piece, the stronger the shade
MAX_ALPHA = 0.6
# The faint per-batch curve is drawn from at most this many points (means of neighbouring
# batches): the chart is rebuilt every second while training, and Altair's cost grows with rows.
MAX_BATCH_POINTS_DRAWN = 200

Rows = list[dict[str, Any]]


def _number(value: float) -> float | None:
    """A JSON-safe number: NaN and infinities (a diverged run) become null, which Vega-Lite skips."""
    value = float(value)
    return value if math.isfinite(value) else None


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
    batch_rows = [{"epoch": x, "loss": _number(loss)} for x, loss in _thinned(batches, MAX_BATCH_POINTS_DRAWN)]
    epoch_rows = [
        {"epoch": e.epoch, "series": series, "loss": _number(loss)}
        for e in epochs
        for series, loss in zip(SERIES, (e.loss, e.val_loss))
    ]
    best_rows: Rows = []
    if epochs and _number(epochs[-1].best_val_loss) is not None:
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
    return _loss_chart_template(unit, stopped_early).properties(datasets=rows)


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
    return spec


def runs_chart(runs: Sequence[tuple[str, Sequence[EpochRecord]]], unit: str = "nats per character") -> alt.LayerChart:
    """Held-out loss per epoch of several finished runs, one coloured line per run, with each run's best epoch.

    Layers by ``description``: "held-out loss" (lines) and "best epochs" (one point per run).
    ``runs`` pairs a label (shown in the legend, so make them unique) with that run's history.
    """
    labels = [label for label, _ in runs]
    line_rows = [
        {"run": label, "epoch": e.epoch, "val_loss": _number(e.val_loss)} for label, history in runs for e in history
    ]
    best_rows = [
        {"run": label, "epoch": history[-1].best_epoch, "val_loss": _number(history[-1].best_val_loss)}
        for label, history in runs
        if history
    ]
    # Fixing the domain keeps each run's colour and legend position as given, however the data is ordered.
    color = alt.Color(
        "run:N", title=None, scale=alt.Scale(domain=labels), legend=alt.Legend(orient="bottom", labelLimit=400)
    )
    x = alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1))
    y = alt.Y("val_loss:Q", title=f"held-out loss ({unit})", scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("run:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("val_loss:Q", title="held-out", format=".3f")]

    lines = (
        alt.Chart(alt.Data(values=line_rows))
        .mark_line()
        .encode(x=x, y=y, color=color, tooltip=tooltip)
        .properties(description="held-out loss")
    )
    best = (
        alt.Chart(alt.Data(values=best_rows))
        .mark_point(filled=True, size=80)
        .encode(x=x, y=y, color=color, tooltip=tooltip)
        .properties(description="best epochs")
    )
    return alt.layer(lines, best).properties(width="container", height=HEIGHT)


def improvements_chart(rows: Sequence[tuple[str, float, str]]) -> alt.Chart:
    """Held-out bits per character of each row of the "what helps?" table, one bar per row, in table order.

    ``rows`` holds (title, bits per character, level) triples; shorter bars are better.
    """
    values = [{"row": title, "bits": _number(bits), "level": level} for title, bits, level in rows]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=alt.X("bits:Q", title="held-out bits per character (lower is better)"),
            y=alt.Y(
                "row:N",
                title=None,
                sort=[title for title, _, _ in rows],
                axis=alt.Axis(labelLimit=400, labelOverlap=False),
            ),
            color=alt.Color("level:N", title="tokens", legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("row:N"), alt.Tooltip("bits:Q", title="bits/char", format=".3f")],
        )
        .properties(width="container", height=alt.Step(32), description="bits per character")
    )


def temperature_label(temperature: float, bits: float) -> str:
    """Legend label of one temperature, e.g. "T = 0.5 (2.31 bits)"."""
    return f"T = {temperature:g} ({bits:.2f} bits)"


def next_token_chart(odds: NextTokenOdds, token: str = "token") -> alt.Chart:
    """Grouped bars of the next-token distribution: a group per candidate token (plus the rest,
    labelled :data:`OTHER_LABEL`), a bar per temperature. The legend gives each temperature's entropy."""
    tokens = [*odds.labels, OTHER_LABEL]
    temps = [temperature_label(t, bits) for t, bits in zip(odds.temperatures, odds.entropy_bits)]
    rows = [
        {"token": token, "temperature": temp, "probability": _number(p)}
        for temp, probs, other in zip(temps, odds.probs, odds.other)
        for token, p in zip(tokens, [*probs, other])
    ]
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            # Tokens stay in the model's order (most likely first), not alphabetical.
            x=alt.X("token:N", title=f"next {token}", sort=tokens, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("temperature:N", sort=temps),
            y=alt.Y("probability:Q", title="probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color(
                "temperature:N", title=None, scale=alt.Scale(domain=temps), legend=alt.Legend(orient="bottom")
            ),
            tooltip=[
                alt.Tooltip("token:N"),
                alt.Tooltip("temperature:N"),
                alt.Tooltip("probability:Q", format=".1%"),
            ],
        )
        .properties(description="next token odds", width="container", height=HEIGHT)
    )


def confidence_html(pieces: Sequence[str], probs: Sequence[float]) -> str:
    """Generated text as HTML, each piece shaded by how unlikely the model found it (hover shows p).

    The result keeps its newlines as literal "\\n" outside the spans, so wrap it in an element
    with ``white-space: pre-wrap``. Raises ValueError when the two sequences differ in length.
    """
    if len(pieces) != len(probs):
        raise ValueError(f"{len(pieces)} pieces but {len(probs)} probabilities")
    red, green, blue = SHADE_RGB
    out = []
    for piece, p in zip(pieces, probs):
        p = min(max(float(p), 0.0), 1.0)
        alpha = round(MAX_ALPHA * (1.0 - p), 2)
        opening = f'<span style="background: rgba({red},{green},{blue},{alpha})" title="p = {p:.3g}">'
        # Shade each line's part on its own so no highlight spans a line break.
        parts = [opening + html.escape(part) + "</span>" if part else "" for part in piece.split("\n")]
        out.append("\n".join(parts))
    return "".join(out)

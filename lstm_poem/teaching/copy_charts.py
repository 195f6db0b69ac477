"""The Train page's memorising chart: the losses over the epochs above the copied share of each epoch's sample.

Both panels share the epoch axis, so a class sees the copied share climb while the
training loss keeps falling after the held-out loss has turned.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from lstm_poem.teaching.chart_style import SERIES, SERIES_COLOURS, SERIES_DASHES, SERIES_SHAPES
from lstm_poem.training.records import EpochRecord

PANEL_HEIGHT = 180
COPIED_COLOUR = "#d4a017"


def memorising_chart(epochs: Sequence[EpochRecord], copied: Sequence[float], unit: str) -> alt.VConcatChart:
    """Training and held-out loss per epoch (top) and the copied share of that epoch's sample (bottom)."""
    x = alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1), scale=alt.Scale(domainMin=1))
    loss_rows = [
        {"epoch": e.epoch, "series": series, "loss": loss}
        for e in epochs
        for series, loss in zip(SERIES, (e.loss, e.val_loss))
    ]
    losses = (
        alt.Chart(alt.Data(values=loss_rows))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("loss:Q", title=f"loss ({unit})", scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_COLOURS)),
            strokeDash=alt.StrokeDash("series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_DASHES)),
            shape=alt.Shape("series:N", title=None, scale=alt.Scale(domain=SERIES, range=SERIES_SHAPES)),
            tooltip=[alt.Tooltip("series:N", title="loss"), "epoch:Q", alt.Tooltip("loss:Q", format=".3f")],
        )
        .properties(height=PANEL_HEIGHT, description="losses")
    )
    copied_rows = [{"epoch": e.epoch, "copied": share} for e, share in zip(epochs, copied)]
    shares = (
        alt.Chart(alt.Data(values=copied_rows))
        .mark_area(line={"color": COPIED_COLOUR}, color=COPIED_COLOUR, opacity=0.4, point={"color": COPIED_COLOUR})
        .encode(
            x=x,
            y=alt.Y("copied:Q", title="sample copied", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=["epoch:Q", alt.Tooltip("copied:Q", format=".0%", title="copied")],
        )
        .properties(height=PANEL_HEIGHT, description="copied share")
    )
    return alt.vconcat(losses, shares)

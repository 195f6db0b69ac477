"""The next-character odds chart (Generate, Inside): a group of bars per candidate, a bar per temperature.

Temperatures are ordered, so their bars take steps of a sequential scheme (dark for
cold, light for hot) and, as a second cue, a solid, dashed or dotted outline; they
also stand in the same order in every group. The chart's ``description`` starts with
"next token odds" (what pages and tests look for) and goes on in words, for a screen reader.
"""

from __future__ import annotations

import altair as alt

from lstm_poem.network.generate import NextTokenOdds
from lstm_poem.teaching.chart_style import DASHES, HEIGHT, cycled, json_number, sequential_colours

DESCRIPTION = "next token odds"
# No token can be spelled "(other)": word tokens are letters, digits or a single symbol.
OTHER_LABEL = "(other)"
SUMMARY_CANDIDATES = 3  # the likeliest few a screen reader hears per temperature


def temperature_label(temperature: float, bits: float) -> str:
    """Legend label of one temperature, e.g. "T = 0.5 (2.31 bits)"."""
    return f"T = {temperature:g} ({bits:.2f} bits)"


def odds_summary(odds: NextTokenOdds, token: str = "token") -> str:
    """The chart in words: the likeliest few candidates at each temperature, with their probabilities."""
    parts = []
    for temperature, probs in zip(odds.temperatures, odds.probs):
        likeliest = sorted(zip(odds.labels, probs), key=lambda pair: -pair[1])[:SUMMARY_CANDIDATES]
        shown = ", ".join(f"{label} {p:.0%}" for label, p in likeliest)
        parts.append(f"at T = {temperature:g}: {shown}")
    return f"{DESCRIPTION}: the likeliest next {token} " + "; ".join(parts) + "."


def next_token_chart(odds: NextTokenOdds, token: str = "token") -> alt.Chart:
    """Grouped bars of the next-token distribution: a group per candidate token (plus the rest,
    labelled :data:`OTHER_LABEL`), a bar per temperature. The legend gives each temperature's entropy."""
    tokens = [*odds.labels, OTHER_LABEL]
    temps = [temperature_label(t, bits) for t, bits in zip(odds.temperatures, odds.entropy_bits)]
    rows = [
        {"token": token, "temperature": temp, "probability": json_number(p)}
        for temp, probs, other in zip(temps, odds.probs, odds.other)
        for token, p in zip(tokens, [*probs, other])
    ]
    legend = alt.Legend(orient="bottom", symbolStrokeColor="black")
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(stroke="black", strokeWidth=1.5)
        .encode(
            # Tokens stay in the model's order (most likely first), not alphabetical.
            x=alt.X("token:N", title=f"next {token}", sort=tokens, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("temperature:N", sort=temps),
            y=alt.Y("probability:Q", title="probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color(
                "temperature:N",
                title=None,
                scale=alt.Scale(domain=temps, range=sequential_colours(len(temps))),
                legend=legend,
            ),
            strokeDash=alt.StrokeDash(
                "temperature:N", title=None, scale=alt.Scale(domain=temps, range=cycled(DASHES, len(temps)))
            ),
            tooltip=[
                alt.Tooltip("token:N"),
                alt.Tooltip("temperature:N"),
                alt.Tooltip("probability:Q", format=".1%"),
            ],
        )
        .properties(description=odds_summary(odds, token), width="container", height=HEIGHT)
    )

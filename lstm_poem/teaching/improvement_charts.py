"""The "what helps?" page's chart: held-out bits per character of each row of the table, one bar per row.

Bars are coloured by the model's level (character or word, Okabe-Ito colours) and, as a
second cue, word-level bars have a dashed outline. The chart's ``description`` starts
with "bits per character" and lists the rows in words, for a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from lstm_poem.teaching.chart_style import CATEGORICAL, DASHES, json_number

DESCRIPTION = "bits per character"
LEVELS = ["char", "word"]


def improvements_summary(rows: Sequence[tuple[str, float, str]]) -> str:
    """The chart in words: every row's bits per character, in table order."""
    each = "; ".join(f"{title}: {bits:.2f}" for title, bits, _ in rows)
    return f"{DESCRIPTION} on the held-out text, lower is better. {each or 'No rows.'}"


def improvements_chart(rows: Sequence[tuple[str, float, str]]) -> alt.Chart:
    """Held-out bits per character of each row of the "what helps?" table, one bar per row, in table order.

    ``rows`` holds (title, bits per character, level) triples; shorter bars are better.
    """
    values = [{"row": title, "bits": json_number(bits), "level": level} for title, bits, level in rows]
    legend = alt.Legend(orient="bottom", symbolStrokeColor="black")
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar(stroke="black", strokeWidth=1.5)
        .encode(
            x=alt.X("bits:Q", title="held-out bits per character (lower is better)"),
            y=alt.Y(
                "row:N",
                title=None,
                sort=[title for title, _, _ in rows],
                axis=alt.Axis(labelLimit=400, labelOverlap=False),
            ),
            color=alt.Color(
                "level:N", title="tokens", scale=alt.Scale(domain=LEVELS, range=CATEGORICAL[:2]), legend=legend
            ),
            strokeDash=alt.StrokeDash(
                "level:N", title="tokens", scale=alt.Scale(domain=LEVELS, range=DASHES[:2]), legend=legend
            ),
            tooltip=[alt.Tooltip("row:N"), alt.Tooltip("bits:Q", title="bits/char", format=".3f")],
        )
        .properties(width="container", height=alt.Step(32), description=improvements_summary(rows))
    )

"""What every chart of the app shares: its height, colour-blind-safe colours, second cues, JSON-safe numbers.

Colours: categories (runs, training and held-out, character and word level) take the
Okabe-Ito palette, which stays distinct under the common colour-vision deficiencies;
ordered series (temperatures) take evenly spaced steps of viridis, dark to light,
which stays in order even in grey. No series is told apart by colour alone: lines
also differ in dash and points in shape, and bars carry a dashed or dotted outline
or a label. Each chart's ``description`` (a screen reader's label for it) says in
words what the chart shows.
"""

from __future__ import annotations

import math

HEIGHT = 320
# Okabe & Ito, "Color Universal Design" (2008): blue, orange, green, reddish purple, vermilion, sky blue, black.
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
# Viridis from dark purple to yellow-green; its last, pale yellow step is left out (too faint on white).
SEQUENTIAL = ["#440154", "#482878", "#3E4989", "#31688E", "#26828E", "#1F9E89", "#35B779", "#6ECE58", "#B5DE2B"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4]]  # solid first
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
SERIES = ["training", "held-out"]
SERIES_COLOURS = CATEGORICAL[:2]
SERIES_DASHES = DASHES[:2]
SERIES_SHAPES = SHAPES[:2]


def cycled(values: list, n: int) -> list:
    """``n`` entries of ``values``, starting again from the first when there are more than it holds."""
    return [values[i % len(values)] for i in range(n)]


def sequential_colours(n: int) -> list[str]:
    """``n`` colours in order, dark to light, spread over the whole sequential scheme."""
    if n <= 1:
        return SEQUENTIAL[:1] * n
    last = len(SEQUENTIAL) - 1
    return [SEQUENTIAL[round(i * last / (n - 1))] for i in range(n)]


def json_number(value: float) -> float | None:
    """A JSON-safe number: NaN and infinities (a diverged run) become null, which Vega-Lite skips."""
    value = float(value)
    return value if math.isfinite(value) else None

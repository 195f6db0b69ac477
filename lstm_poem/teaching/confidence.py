"""Generated text as HTML, each piece shaded by how unlikely the model found it (Generate's "shade" view)."""

from __future__ import annotations

import html
from collections.abc import Sequence

SHADE_RGB = (255, 140, 0)  # orange: the less likely the piece, the stronger the shade
MAX_ALPHA = 0.6


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

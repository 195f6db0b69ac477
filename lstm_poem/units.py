"""The unit every loss is reported in: bits per character.

Ground floor, beside ``limits.py`` and ``checks.py``, not in ``measuring/``: ``train()`` reports its
held-out loss in it too, and training sits below measuring, so the one conversion both need lives
below them both.
"""

from __future__ import annotations

import math


def bits_per_char(nats_per_token: float, tokens: int, chars: int) -> float:
    """Convert a loss in nats per token to bits per character of the same text."""
    return nats_per_token * tokens / max(chars, 1) / math.log(2)

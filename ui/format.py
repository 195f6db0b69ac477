"""Small formatting helpers shared by the pages."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """2:05 for 125 seconds; 1:02:05 past an hour."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def size(n_bytes: int) -> str:
    if n_bytes < 1000:
        return f"{n_bytes} bytes"
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.1f} KB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"

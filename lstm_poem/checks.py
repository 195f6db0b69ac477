"""The checks every setting goes through, and the error they raise.

Ground floor, beside ``limits.py``: the network, training and sampling settings all use them, so
they sit below every room and any room (or page) can catch :class:`ConfigError` without importing
the network.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting is out of range; the message names the setting and the allowed range."""


def check_range(name: str, value: float, low: float, high: float) -> None:
    """Raise :class:`ConfigError` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {value!r}.")


def check_int(name: str, value: int, low: int, high: int) -> None:
    """Raise :class:`ConfigError` unless ``value`` is an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.")
    check_range(name, value, low, high)

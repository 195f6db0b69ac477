"""Remembering results across reruns (per session, or for the whole server) and widget values across pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

# Generated poems remembered per session, so a rerun that changed nothing draws instantly.
MAX_REMEMBERED_POEMS = 32
# Poems and odds of the pretrained models remembered for the whole server (a few KB each).
MAX_SHARED_RESULTS = 256


def remembered(key: tuple, compute, shared: bool = False):
    """``compute()``, remembered for this session under ``key`` (oldest entries are forgotten).

    With ``shared``, remembered for every session of this server instead: only for results
    that depend on nothing but ``key`` and read-only shared things (a pretrained model), so a
    class opening the Generate page together waits for one set of poems, not thirty.
    """
    if shared:
        return _shared_result(key, compute)
    memo: dict = st.session_state.setdefault("remembered", {})
    if key not in memo:
        memo[key] = compute()
        while len(memo) > MAX_REMEMBERED_POEMS:
            memo.pop(next(iter(memo)))
    return memo[key]


@st.cache_resource(max_entries=MAX_SHARED_RESULTS, show_spinner=False)
def _shared_result(key: tuple, _compute):
    # Streamlit computes each key once even when many sessions ask at the same moment.
    return _compute()


def kept(key: str, default: Any) -> str:
    """Use ``key`` as a widget key whose value survives page switches.

    Streamlit forgets the state of widgets a page did not draw, so a user who
    leaves the Train page would come back to default settings. The last value
    is copied aside and put back before the widget is drawn again.
    """
    store: dict = st.session_state.setdefault("kept", {})
    if key in st.session_state:
        store[key] = st.session_state[key]
    else:
        st.session_state[key] = store.get(key, default)
    return key


def kept_widget(key: str, default: Any, options: Sequence[Any] | None = None) -> dict[str, Any]:
    """:func:`kept`, plus the widget's own default set to the kept value: ``key`` and ``value`` (or
    ``index`` when ``options`` are given) to pass to the widget.

    A browser that draws the widget anew (after a rerun interrupted by a click) starts it at its own
    default and sends that back, which Streamlit takes for a change: an undefaulted number would come
    back as its minimum and a select as its first option (streamlit#4247).
    """
    kept(key, default)
    value = st.session_state[key]
    if options is None:
        return {"key": key, "value": value}
    choices = list(options)
    return {"key": key, "index": choices.index(value) if value in choices else 0}

"""The "what helps?" table's models, loaded once per server, and their poems written live."""

from __future__ import annotations

import streamlit as st

from lstm_poem.files.bundle import BundleError
from lstm_poem.measuring.scoring import poem_length
from lstm_poem.network.generate import PrimeError
from lstm_poem.teaching.improvements import Row
from ui import memo, memory, session_models

POEM_CHARS = 400  # about this many characters per poem, at either level


@st.cache_resource(show_spinner="Loading the table's models…")
def row_model(path: str, title: str) -> session_models.ModelEntry | None:
    """One row's model, shared read-only by every session (None when its file is damaged)."""
    from lstm_poem.files.bundle import load_bundle

    try:
        poem = load_bundle(path)
    except BundleError:
        return None
    memory.freeze_long_lived()
    return session_models.ModelEntry(f"improvement-{path}", title, "the improvements table", poem)


def live_poem(row: Row, prime: str, temperature: float, seed: int) -> str:
    """The row's poem for these settings, written once per server; a plain message when it cannot be."""
    entry = row_model(str(row.path), row.title)
    if entry is None:
        return "(this row's model file is damaged, so it cannot write)"

    def write() -> str:
        length = poem_length(entry.poem, POEM_CHARS)
        try:
            generation = entry.writer().generate(prime, [temperature], length=length, seed=seed)
        except PrimeError as err:
            return f"({err})"
        return generation.samples[0].text

    return memo.remembered(("improvement poem", str(row.path), prime, temperature, seed), write, shared=True)

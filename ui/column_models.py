"""Generate's per-column model choice: each column may write with its own model, not only its own temperature.

Columns that share a model are written together in one batch. With shared
random numbers the sampler draws one uniform number per step from the random
seed alone, so columns with different models still share every draw: the same
seed at the same temperature, small data against more data, differ only by model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import streamlit as st

from lstm_poem.measuring.scoring import CHARS_PER_WORD
from lstm_poem.network.generate import Sample
from ui import memo, session_models

SAME = "same"  # the column writes with the model chosen at the top of the page


@dataclass(frozen=True)
class Column:
    """One column's poem and the model that wrote it."""

    entry: session_models.ModelEntry
    sample: Sample
    prime: str  # the seed as this model read it (pieces it does not know are skipped)
    unknown: list[str]
    own_model: bool  # True when the column chose a model other than the page's


def pick_column_models(columns: list[Any], page_entry: session_models.ModelEntry) -> list[session_models.ModelEntry]:
    """A model box in each column, above its temperature; "same as above" unless a student picks another."""
    entries = session_models.available_models()
    options = [SAME, *(key for key in entries if key != page_entry.key)]
    chosen = []
    for index, column in enumerate(columns):
        widget = memo.kept(f"column_model_{index}", SAME)
        if st.session_state[widget] not in options:  # the model it chose is now the page's, or gone
            st.session_state[widget] = SAME
        key = column.selectbox(
            f"Model, column {index + 1}",
            options,
            key=widget,
            format_func=lambda key: f"same as above ({page_entry.name})" if key == SAME else entries[key].name,
        )
        chosen.append(page_entry if key == SAME or key not in entries else entries[key])
    return chosen


def tokens_for(entry: session_models.ModelEntry, length: int, page_level: str) -> int:
    """The page's length, in the column model's own tokens (words or characters)."""
    level = entry.config.level
    if level == page_level:
        return length
    return max(1, length // CHARS_PER_WORD) if level == "word" else length * CHARS_PER_WORD


def write_columns(
    entries: list[session_models.ModelEntry],
    page_entry: session_models.ModelEntry,
    prime: str,
    temperatures: list[float],
    length: int,
    seed: int,
    shared_noise: bool,
) -> tuple[list[Column], float]:
    """Every column's poem (raises PrimeError when a model can read none of the seed) and the seconds spent."""
    groups: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        groups.setdefault(entry.key, []).append(index)
    written: dict[int, Column] = {}
    seconds = 0.0
    page_level = page_entry.config.level
    for indexes in groups.values():
        entry = entries[indexes[0]]
        temps = [temperatures[i] for i in indexes]
        tokens = tokens_for(entry, length, page_level)
        generation = memo.remembered(
            ("poems", entry.key, prime, tuple(temps), tokens, seed, shared_noise),
            partial(entry.writer().generate, prime, temps, length=tokens, seed=seed, shared_noise=shared_noise),
            entry.source == "pretrained",  # the same poems for every student: written once per server
        )
        seconds += generation.seconds
        for index, sample in zip(indexes, generation.samples):
            written[index] = Column(entry, sample, generation.prime, generation.unknown, entry is not page_entry)
    return [written[index] for index in range(len(entries))], seconds


def compare_models_toggle() -> bool:
    """Whether the columns show a model box each (off: every column uses the page's model)."""
    return st.toggle(
        "A model per column",
        key=memo.kept("compare_models", False),
        help="Give each column its own model as well as its own temperature, e.g. small data against more data "
        "at the same temperature and seed.",
    )

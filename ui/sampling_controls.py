"""The sampling controls the Generate and Watch-it-write pages share: seed text, columns, temperatures, seed.

Both pages keep these values under the same keys, so a class that steps
through a poem on one page sees the same settings, and the same poem, on the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui import memo
from ui.format import plain

DEFAULT_SEED = "Two roads diverged in a yellow wood,\n"
DEFAULT_TEMPERATURES = (0.5, 1.0, 1.5, 0.0)


@dataclass(frozen=True)
class Sampling:
    """What the controls chose, and where each column goes on the page."""

    prime: str
    temperatures: list[float]
    seed: int
    shared_noise: bool
    columns: list[Any]  # one Streamlit column per temperature
    length: int | None  # Generate's poem length in tokens; None on a page without the length slider
    shade: bool  # Generate's shading by the model's confidence; False on a page without that toggle


def pick_sampling(length_of: str | None = None, shading: bool = False) -> Sampling:
    """Draw the controls. Generate adds two of its own: the poem's length in the first row, counted in
    ``length_of`` ("character" or "word"), and with ``shading`` the confidence-shading toggle beside the
    shared-randomness one."""
    prime = st.text_area(
        "Seed text: the poem starts with this", key=memo.kept("seed_text", DEFAULT_SEED), height=90, max_chars=5000
    )
    count_column, extra_column, seed_column = st.columns([1.5, 2.5, 1])
    n_columns = count_column.radio("Columns", [1, 2, 3, 4], horizontal=True, key=memo.kept("n_columns", 3))
    length = None
    if length_of is not None:
        length = extra_column.slider(f"Length ({length_of}s)", 20, 1500, step=20, key=memo.kept("length", 400))
    seed = seed_column.number_input(
        "Random seed", 0, 2**31 - 1, step=1, key=memo.kept("sample_seed", 42), help="Same seed, same poems."
    )
    shade = False
    with st.container(horizontal=True, gap="large"):
        shared_noise = st.toggle(
            "Same random numbers in every column",
            key=memo.kept("shared_noise", True),
            help="Columns then differ only by temperature, which makes the comparison fair.",
        )
        if shading:
            shade = st.toggle(
                "Shade by the model's confidence",
                key=memo.kept("shade", False),
                help="The less likely the model found a character, the stronger its shade. Hover for its probability.",
            )
    columns = st.columns(n_columns)
    temperatures = [
        column.slider(
            f"Temperature, column {index + 1}",
            0.0,
            2.0,
            step=0.05,
            key=memo.kept(f"temperature_{index}", DEFAULT_TEMPERATURES[index]),
            help="Below 1 the model plays safe; above 1 it takes risks. 0 always takes the likeliest choice.",
        )
        for index, column in enumerate(columns)
    ]
    return Sampling(prime, temperatures, int(seed), shared_noise, columns, length, shade)


def warn_unknown(unknown: list[str]) -> None:
    """Say which pieces of the seed the model skipped because it never saw them."""
    if not unknown:
        return
    shown = ", ".join(plain(repr(piece)) for piece in unknown[:12])
    them = "them" if len(unknown) > 1 else "it"
    st.warning(
        f"The model never saw {shown} in its training text, so it skipped {them} and carried on with the rest "
        "of your seed.",
        icon=":material/info:",
    )

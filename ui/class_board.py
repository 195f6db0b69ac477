"""The class board as the pages draw it: every training on this server in the last hour."""

from __future__ import annotations

import streamlit as st

from lstm_poem.teaching.class_board import BOARD

BOARD_POLL_SECONDS = 2.0


def show_board() -> None:
    """The overlaid held-out curves and a row per training (names are drawn as plain text)."""
    rows, spec = BOARD.view()
    if not rows:
        st.caption("No training on this server in the last hour yet: the first one pressed appears here.")
        return
    if spec is not None:
        st.vega_lite_chart(spec=spec, width="stretch")
    st.dataframe(
        [
            {
                "#": row.number,
                "verse": row.corpus,
                "network": row.network,
                "students": row.students,
                "names": row.names,
                "status": row.status,
                "epochs": row.epochs,
                "bits per character": None if row.bits_per_char is None else round(row.bits_per_char, 3),
                "a line of its verse": row.verse,
            }
            for row in reversed(rows)  # newest first: what a class just started is on top
        ],
        hide_index=True,
        width="stretch",
    )


@st.fragment(run_every=BOARD_POLL_SECONDS)
def show_board_live() -> None:
    show_board()

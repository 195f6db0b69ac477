"""The class board as the pages draw it: the session's class's trainings in the last hour (or its own), live."""

from __future__ import annotations

import streamlit as st

from lstm_poem.teaching.class_board import BOARD
from ui import classroom

BOARD_POLL_SECONDS = 2.0


def show_board(teacher_controls: bool = False) -> None:
    """The overlaid held-out curves and a row per training (names and corpora are drawn as plain text)."""
    room = classroom.current_class()
    rows, spec = BOARD.view(classroom.viewer())
    if teacher_controls and room is not None:
        from ui.class_panel import show_teacher_controls  # here: segno is needed only by a teacher's pages

        show_teacher_controls(room, rows)
    if not rows:
        if room is None:
            st.caption("None of your trainings is on this server in the last hour yet: the first one appears here.")
        else:
            st.caption("No training of this class in the last hour yet: the first one pressed appears here.")
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
    show_board(teacher_controls=True)

"""Class board: every training on this server in the last hour, live; made for the projector."""

import streamlit as st

from ui.class_board import BOARD_POLL_SECONDS, show_board_live

st.title("Class board")
st.markdown(
    "Every training on this server in the last hour, live: the held-out loss of each, epoch by epoch, how it "
    "ended, its bits per character and a line of the verse it writes now. Students who asked for exactly the "
    "same training share one line. Nobody's name appears unless they typed one on the Train page."
)
st.caption(
    f"It redraws every {BOARD_POLL_SECONDS:g} seconds. Lower is better: a curve that flattens and turns up is "
    "where early stopping looks for its best epoch."
)
show_board_live()

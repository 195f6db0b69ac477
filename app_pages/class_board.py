"""Class board: the class's trainings in the last hour, live; made for the projector."""

import streamlit as st

from ui import classroom
from ui.class_board import BOARD_POLL_SECONDS, show_board_live

st.title("Class board")
classroom.show_notice()
room = classroom.current_class()
if room is None:
    st.info(
        "You are in no class, so this board shows only your own trainings. To see your class's, open the link "
        "your teacher shows, or type its code on the Start here page. A teacher starts a class there too.",
        icon=":material/groups:",
    )
    st.page_link("app_pages/home.py", label="Join or start a class", icon=":material/school:")
else:
    st.markdown(
        "Your class's trainings in the last hour, live: the held-out loss of each, epoch by epoch, how it ended, "
        "its bits per character and a line of the verse it writes now. Students who asked for exactly the same "
        "training share one line. Nobody's name appears unless they typed one on the Train page, and a text a "
        "student uploaded or pasted shows as “own text”, with no verse, unless they chose to show it."
    )
st.caption(
    f"It redraws every {BOARD_POLL_SECONDS:g} seconds. Lower is better: a curve that flattens and turns up is "
    "where early stopping looks for its best epoch."
)
show_board_live()

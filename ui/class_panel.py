"""The class on the pages: the start page's panel (start, join, the code shown large) and the teacher's
controls on the class board."""

from __future__ import annotations

import html
import io

import segno
import streamlit as st

from lstm_poem.teaching.class_board import BoardRow
from lstm_poem.teaching.classroom import ClassError, ClassRoom, shown_code
from ui import classroom

CODE_STYLE = "font-family: monospace; font-size: 4.5rem; font-weight: 700; letter-spacing: 0.12em; line-height: 1.1"
QR_SCALE = 10  # pixels per module: a phone reads it from the back of a room off a projector


def show_class_panel() -> None:
    """Start or join a class; once in one, its code and link large enough to read from the back of a room."""
    classroom.show_notice()
    room = classroom.current_class()
    if room is None:
        _start_or_join()
    elif classroom.teacher_secret(room):
        _show_code(room)
    else:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.success(
                f"You are in class **{shown_code(room.code)}**: the class board, shared trainings and the guessing "
                "game's total are your class's.",
                icon=":material/groups:",
            )
            st.button("Leave the class", icon=":material/logout:", on_click=classroom.leave_class)


def _start_or_join() -> None:
    teach, join = st.columns(2, gap="large")
    with teach, st.container(border=True, height="stretch"):
        st.markdown("**Teaching?** Start a class: your students join it with a code, and only they see its board.")
        if st.button("Start a class", icon=":material/co_present:", type="primary"):
            try:
                classroom.start_class()
            except ClassError as err:
                st.error(str(err), icon=":material/error:")
            else:
                st.rerun()
    with join, st.container(border=True, height="stretch"):
        with st.form("join_class", border=False):
            typed = st.text_input(
                "**In a class?** Type the code your teacher shows",
                max_chars=12,
                placeholder="ABCD-EFGH",
                key="join_code",
            )
            pressed = st.form_submit_button("Join the class", icon=":material/login:")
        if pressed:
            try:
                classroom.join_class(typed)
            except ClassError as err:
                st.error(str(err), icon=":material/error:")
            else:
                st.rerun()
        st.caption("On your own, the class board shows only your trainings.")


def _show_code(room: ClassRoom) -> None:
    link = classroom.class_link(room.code)
    with st.container(border=True):
        text, picture = st.columns([3, 1], vertical_alignment="center")
        with text:
            st.markdown("**Your class.** Students open this link, scan the code, or type the code on this page:")
            st.html(f'<div class="class-code" style="{CODE_STYLE}">{html.escape(shown_code(room.code))}</div>')
            st.code(link, language=None)
            st.caption(
                "Keep this tab open: it holds the class's key, which only you have (a reload of it makes you a "
                "student). The Class board page lets you hide a row, end the class and count its students."
            )
        with picture:
            st.image(_qr_png(link), caption="Scan to join", width=280)


def _qr_png(link: str) -> bytes:
    picture = io.BytesIO()
    segno.make(link, error="m").save(picture, kind="png", scale=QR_SCALE, border=2)
    return picture.getvalue()


def show_teacher_controls(room: ClassRoom, rows: list[BoardRow]) -> None:
    """The class's teacher only: its number of students, hide a row, end the class."""
    secret = classroom.teacher_secret(room)
    if secret is None:
        return
    with st.container(border=True):
        st.markdown(f"**Teacher: class {shown_code(room.code)}**")
        count = room.student_count(secret)
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.metric("Students in the class", count)
            labels = {row.number: row.label for row in rows}
            hide = st.selectbox(
                "Hide a row from the board", list(labels), format_func=labels.get, index=None, key="class_hide_row"
            )
            if st.button("Hide it", icon=":material/visibility_off:", disabled=hide is None):
                room.hide_row(secret, hide)
                st.rerun()
            if st.button("End the class", icon=":material/door_front:"):
                classroom.end_class(room)
                st.rerun()

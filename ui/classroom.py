"""A session's class: joining one from its link or code, starting one, and the teacher's secret.

The class's rules live in lstm_poem/teaching/classroom.py; this module keeps
a session's part of them in ``st.session_state`` and in the address bar:

- ``?class=CODE`` joins the class (the link the teacher shows); the session
  then stays in it on every page.
- ``?me=TOKEN`` is this browser's own token, made at its first visit. There are
  no accounts and Streamlit cannot set a cookie, so the token rides in the
  address, which a reload keeps: a reload is a new session, but the same
  browser, so it rejoins its class as the same student and cannot add the same
  guessing line to the class total twice. (A student who edits the address can
  make a new token; that costs them the class, which they must join again,
  and each token counts once per line.)

Streamlit clears the query parameters when the student switches pages, so
:func:`follow_the_link` writes them back on every run.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

import streamlit as st

from lstm_poem.running.sharing import Asker
from lstm_poem.teaching.class_board import Viewer
from lstm_poem.teaching.classroom import CLASSES, ClassError, ClassRoom, shown_code
from lstm_poem.teaching.guessing import ClassTotals

CLASS_PARAM = "class"
VISITOR_PARAM = "me"
TOKEN_CHARS = set(string.ascii_letters + string.digits + "-_")
TOKEN_LENGTH = 16


def visitor() -> str:
    """This browser's token: the one in its address if it has a well-formed one, else a new one."""
    token = st.session_state.get("visitor")
    if token is None:
        given = st.query_params.get(VISITOR_PARAM, "")
        well_formed = len(given) == TOKEN_LENGTH and set(given) <= TOKEN_CHARS
        token = given if well_formed else secrets.token_urlsafe(12)  # 12 bytes: 16 characters
        st.session_state["visitor"] = token
    return token


def follow_the_link() -> None:
    """Join the class the address names (once per code and session), then put the class and the browser's
    token back into the address, so that a reload or a shared link keeps them. Called before every page."""
    me = visitor()
    linked = st.query_params.get(CLASS_PARAM)
    # Each code in the address is tried once a session: a wrong one is reported once, and one the student
    # left (or saw end) is not joined again from an address that still names it.
    if linked and st.session_state.get("class_link_tried") != linked:
        st.session_state["class_link_tried"] = linked
        try:
            join_class(linked)
        except ClassError as err:
            st.session_state["class_notice"] = str(err)
    room = current_class()
    wanted = {VISITOR_PARAM: me, **({CLASS_PARAM: room.code} if room is not None else {})}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def current_class() -> ClassRoom | None:
    """The class this session is in, while it lasts (a session whose class ended is told so once)."""
    code = st.session_state.get("class_code")
    if not code:
        return None
    room = CLASSES.find(code)
    if room is None:
        for key in ("class_code", "class_secret"):
            st.session_state.pop(key, None)
        st.session_state["class_notice"] = f"Class {shown_code(code)} has ended: you work on your own now."
    return room


def teacher_secret(room: ClassRoom | None) -> str | None:
    """The secret of ``room``'s teacher, if this session started it."""
    secret = st.session_state.get("class_secret")
    return secret if room is not None and room.is_teacher(secret) else None


def start_class() -> ClassRoom:
    """Start a class with this session as its teacher (a session that taught one before ends it first)."""
    old = current_class()
    if old is not None and teacher_secret(old):
        CLASSES.end(old.code, teacher_secret(old))
    room, secret = CLASSES.start()
    st.session_state["class_code"] = st.session_state["class_link_tried"] = room.code
    st.session_state["class_secret"] = secret
    return room


def join_class(typed: str) -> ClassRoom:
    """Join the class with code ``typed`` as this browser (ClassError says why not)."""
    room = CLASSES.join(typed, visitor())
    st.session_state["class_code"] = st.session_state["class_link_tried"] = room.code
    st.session_state.pop("class_secret", None)
    return room


def leave_class() -> None:
    """Work alone from now on (the class goes on for the others)."""
    for key in ("class_code", "class_secret"):
        st.session_state.pop(key, None)


def end_class(room: ClassRoom) -> None:
    """End ``room`` (only its teacher's session gets this far; the registry checks the secret again)."""
    CLASSES.end(room.code, teacher_secret(room))
    leave_class()
    st.session_state["class_notice"] = f"You ended class {shown_code(room.code)}. Its code no longer works."


def asker(name: str = "", own_text: bool = False, show_verse: bool = False) -> Asker:
    """Who this session is, for a training it asks for."""
    room = current_class()
    return Asker(visitor(), room.code if room else "", name, own_text, show_verse)


def viewer() -> Viewer:
    """Whose board this session sees: its class's (less the rows the teacher hid), or its own runs'."""
    room = current_class()
    if room is None:
        return Viewer(visitor=visitor())
    return Viewer(class_code=room.code, hidden=room.hidden_rows())


def guessing_totals(line_keys: Callable[[], Iterable[str]]) -> ClassTotals | None:
    """The guessing game's total of this session's class (None for a student in no class)."""
    room = current_class()
    return room.guessing_totals(line_keys) if room is not None else None


def class_link(code: str) -> str:
    """The address that joins class ``code``: this app's own address (as the browser sees it) with ?class=."""
    base = (st.context.url or "").split("?")[0].rstrip("/")
    return f"{base}/?{urlencode({CLASS_PARAM: code})}"


def show_notice() -> None:
    """A message about this session's class (joined with a wrong code, class ended), shown once."""
    notice = st.session_state.pop("class_notice", None)
    if notice:
        st.info(notice, icon=":material/groups:")

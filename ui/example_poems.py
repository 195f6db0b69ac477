"""The start page's live example: three poems from the default pretrained model at three temperatures.

A server wakes in front of a whole class, so the first page must not wait for
the model: :func:`warm_up` reads the default pretrained model's file (only that one) and writes
the first three poems on a background thread once the first page has been sent (with NumPy: no
TensorFlow for a recurrent model), and until then the page shows the lesson with a note where the
poems will be, and polls.
"""

from __future__ import annotations

import html
import logging
import threading

import streamlit as st

from lstm_poem.files.pretrained import pretrained_catalog
from lstm_poem.network.generate import Generation
from lstm_poem.teaching.classroom import FIRST_EXAMPLE_SEED
from ui import classroom, memo, session_models
from ui.sampling_controls import DEFAULT_SEED, DEFAULT_TEMPERATURES

TEMPERATURES = DEFAULT_TEMPERATURES[:3]  # the Generate page's, so "open in Generate" continues the same poems
LENGTH = 240  # about five short lines: the three fit on a projector's first screen
FIRST_SEED = FIRST_EXAMPLE_SEED
POEM_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.2rem; line-height: 1.55"
CAPTIONS = {0.5: "plays safe", 1.0: "as the model learned it", 1.5: "takes risks"}
WAKING_POLL_SECONDS = 1.0

log = logging.getLogger(__name__)
_warm_up_started = threading.Lock()  # held for good by the first caller: the warm-up runs once per process
_warmed_up = threading.Event()


def warm_up() -> None:
    """Start loading the default pretrained model and writing the first example poems, once per server process."""
    if not _warm_up_started.acquire(blocking=False):
        return
    if not pretrained_catalog():  # nothing to load: no TensorFlow for the start page
        _warmed_up.set()
        return
    threading.Thread(target=_write_first_poems, name="lstm-poem-warm-up", daemon=True).start()


def warmed_up() -> bool:
    """True once the first example poems are written (or there is nothing to write them with)."""
    return _warmed_up.is_set()


def _write_first_poems() -> None:
    try:
        example_poems(FIRST_SEED)
    except Exception:  # noqa: BLE001 - the page then writes them itself and shows what went wrong
        log.exception("warming up the example poems failed")
    finally:
        _warmed_up.set()


def example_poems(seed: int) -> tuple[str, Generation] | None:
    """(model name, its Generation) from the default pretrained model, written once per server for each
    seed (every visitor sees the same ones); None when no pretrained model ships."""
    entries = session_models.pretrained_models()
    if not entries:
        return None
    entry = next(iter(entries.values()))  # the catalog's first: the one the Generate page opens with
    generation = memo.remembered(
        ("example poems", entry.key, seed),
        lambda: entry.writer().generate(DEFAULT_SEED, TEMPERATURES, length=LENGTH, seed=seed),
        shared=True,
    )
    return entry.name, generation


@st.fragment(run_every=WAKING_POLL_SECONDS)
def _waiting_for_the_model() -> None:
    if warmed_up():
        st.rerun()  # the whole page, so the poems are drawn and this polling stops
    st.info(
        "A pretrained model is waking up to write three poems here (a few seconds after the server starts). "
        "The lesson below is ready now.",
        icon=":material/hourglass_top:",
    )


def show_example_poems() -> None:
    """Three poems side by side, a button for three more, and a link to carry on in Generate."""
    if not warmed_up():
        warm_up()
        _waiting_for_the_model()
        return
    room = classroom.current_class()
    secret = classroom.teacher_secret(room)
    # In a class, the poems are the class's: its teacher's "Three more" moves them on for everyone in it; a
    # student's own press moves only their own.
    seed = st.session_state.get("example_seed") or (room.example_seed if room is not None else FIRST_SEED)
    with st.spinner("A pretrained model is writing three poems…"):
        example = example_poems(seed)
    if example is None:
        st.info("No pretrained model is installed here: train one on the Train page.", icon=":material/info:")
        return
    name, generation = example
    st.markdown(f"**One seed line, three temperatures.** The pretrained *{name}* model continues it:")
    for column, sample in zip(st.columns(len(generation.samples)), generation.samples):
        with column:
            st.markdown(f"##### T = {sample.temperature:g} · {CAPTIONS.get(sample.temperature, '')}")
            seed_html = f'<span style="color: #888">{html.escape(generation.prime)}</span>'
            st.html(f'<div dir="auto" style="{POEM_STYLE}">{seed_html}{html.escape(sample.text)}…</div>')
    with st.container(horizontal=True):
        if st.button("Three more", icon=":material/refresh:"):
            if secret is not None:
                room.next_examples(secret)
            else:
                st.session_state["example_seed"] = seed + 1
            st.rerun()
        st.page_link("app_pages/generate.py", label="Carry on in Generate", icon=":material/edit_note:")

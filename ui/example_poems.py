"""The start page's live example: three poems from the default pretrained model at three temperatures."""

from __future__ import annotations

import html

import streamlit as st

from lstm_poem.generate import Generation
from ui import state
from ui.sampling_controls import DEFAULT_SEED, DEFAULT_TEMPERATURES

TEMPERATURES = DEFAULT_TEMPERATURES[:3]  # the Generate page's, so "open in Generate" continues the same poems
LENGTH = 240  # about five short lines: the three fit on a projector's first screen
FIRST_SEED = 42
POEM_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.2rem; line-height: 1.55"
CAPTIONS = {0.5: "plays safe", 1.0: "as the model learned it", 1.5: "takes risks"}


def example_poems(seed: int) -> tuple[str, Generation] | None:
    """(model name, its Generation) from the default pretrained model, written once per server for each
    seed (every visitor sees the same ones); None when no pretrained model ships."""
    entries = state.pretrained_models()
    if not entries:
        return None
    entry = next(iter(entries.values()))  # the catalog's first: the one the Generate page opens with
    generation = state.remembered(
        ("example poems", entry.key, seed),
        lambda: entry.generator().generate(DEFAULT_SEED, TEMPERATURES, length=LENGTH, seed=seed),
        shared=True,
    )
    return entry.name, generation


def show_example_poems() -> None:
    """Three poems side by side, a button for three more, and a link to carry on in Generate."""
    seed = st.session_state.setdefault("example_seed", FIRST_SEED)
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
            st.html(f'<div style="{POEM_STYLE}">{seed_html}{html.escape(sample.text)}…</div>')
    with st.container(horizontal=True):
        if st.button("Three more", icon=":material/refresh:"):
            st.session_state["example_seed"] = seed + 1
            st.rerun()
        st.page_link("app_pages/generate.py", label="Carry on in Generate", icon=":material/edit_note:")

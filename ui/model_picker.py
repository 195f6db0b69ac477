"""The Generate page's model choice: one trained in this session, a pretrained one, or an uploaded bundle."""

from __future__ import annotations

import math

import streamlit as st

from lstm_poem import limits
from lstm_poem.files.bundle import BundleError
from ui import session_models
from ui.format import plain


def _load_upload() -> None:
    upload = st.session_state.get("bundle_upload")
    if upload is None:
        return
    try:
        session_models.add_uploaded_model(upload.getvalue(), upload.name)
    except BundleError as err:
        st.session_state["bundle_error"] = f"{upload.name}: {err}"
    else:
        st.session_state.pop("bundle_error", None)


def pick_model() -> session_models.ModelEntry:
    """Draw the model controls and return the model to use; with none yet, say how to get one and stop
    the page there."""
    entries = session_models.available_models()
    current = session_models.current_model()
    if entries:
        keys = list(entries)
        chosen = st.selectbox(
            "Model",
            keys,
            index=keys.index(current.key) if current is not None else 0,
            format_func=lambda key: f"{entries[key].name} ({entries[key].source})",
        )
        session_models.select_model(chosen)
        if chosen in session_models.models():
            st.button(
                "Remove this model",
                icon=":material/delete:",
                on_click=session_models.remove_model,
                args=(chosen,),
                help="Frees its memory on the server. Download it first (Train page) to keep a copy.",
            )
    with st.expander("Load a model file (.zip)", expanded=not entries):
        st.file_uploader(
            "A model downloaded from the Train page or made with `python -m lstm_poem train`",
            type=["zip"],
            key="bundle_upload",
            max_upload_size=math.ceil(limits.MAX_BUNDLE_BYTES / 1e6),
            on_change=_load_upload,
        )
    if "bundle_error" in st.session_state:
        st.error(plain(st.session_state["bundle_error"]), icon=":material/error:")
    entry = session_models.current_model()
    if entry is None:
        st.info("There is no model yet. Train one (the quick demo takes seconds), or load a model file above.")
        st.page_link("app_pages/train.py", label="Train a model", icon=":material/show_chart:")
        st.stop()
    return entry

"""Train page: choose verse and settings, then train while watching the loss fall."""

import streamlit as st

from ui import state
from ui.corpus_picker import pick_corpus
from ui.settings import pick_settings
from ui.training_view import show_comparison, show_run

st.title("📈 Train a model")

st.subheader("1. The verse")
corpus = pick_corpus()

st.subheader("2. The settings")
configs = pick_settings()

st.subheader("3. Train")
active = state.active_run()
train_column, stop_column, note_column = st.columns([1, 1, 4])
ready = corpus is not None and configs is not None
if train_column.button("Train", type="primary", icon="▶️", disabled=active is not None or not ready):
    state.start_run(corpus, *configs)
    st.rerun()
if stop_column.button("Stop", icon="⏹️", disabled=active is None, help="Ends training now and keeps the best weights."):
    active.job.stop()
    st.rerun()
if active is not None:
    note_column.caption("Training goes on while you use other pages; come back here to watch.")
elif not ready:
    note_column.caption("Choose some verse and valid settings first.")

if state.runs():
    show_run(state.runs()[-1])
show_comparison(state.runs())

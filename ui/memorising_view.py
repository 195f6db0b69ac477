"""After a run on the Train page: how much of each epoch's sample was copied from the training text."""

from __future__ import annotations

import streamlit as st

from lstm_poem.network.model import token_name
from lstm_poem.running.job import JobSnapshot
from lstm_poem.teaching.copy_charts import memorising_chart
from lstm_poem.teaching.copying import MIN_COPY_LENGTH, check_copying
from lstm_poem.training.records import SAMPLE_TEMPERATURE
from ui import session_models, session_runs
from ui.copy_marks import copy_indexes


def show_memorising(run: session_runs.Run, snapshot: JobSnapshot) -> None:
    """The copied share of the per-epoch samples beside the losses (once the run has made its model)."""
    entry = session_models.models().get(run.model_key or "")
    epochs = [record for record in snapshot.epochs if record.sample]
    if entry is None or len(epochs) < 2:
        return
    indexes = copy_indexes(entry)
    if indexes is None:
        return  # a base model whose training text is not on this server
    copied = [check_copying(r.sample, indexes, skip=r.sample_seed_chars).share for r in epochs]
    st.subheader("Is it learning, or memorising?")
    st.caption(
        f"Below the losses: the share of each epoch's sample (T = {SAMPLE_TEMPERATURE:g}) that appears word for "
        f"word in the training text, in stretches of {MIN_COPY_LENGTH} characters or more. When the held-out loss "
        "stops improving but the training loss keeps falling, the model is learning its text by heart: the copied "
        "share rises."
    )
    unit = f"nats per {token_name(snapshot.model_config.level)}"
    st.altair_chart(memorising_chart(epochs, copied, unit), width="stretch")

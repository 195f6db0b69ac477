"""The sidebar every page shares: the current model and whether a training is running."""

from __future__ import annotations

import streamlit as st

from lstm_poem import limits
from lstm_poem.teaching.classroom import shown_code
from ui import classroom, session_models, session_runs
from ui.format import duration, plain, size

POLL_SECONDS = 2.0


def show_sidebar() -> None:
    with st.sidebar:
        st.markdown("**Current model**")
        entry = session_models.current_model()
        if entry is None:
            st.caption("None chosen yet: the Generate page starts with a pretrained model, or train your own.")
        else:
            config = entry.config
            lines = [
                f"**{plain(entry.name)}**",
                f"Corpus: {plain(entry.corpus_name)}",
                f"{config.cell_name}, {config.layers} × {config.units} units, {config.level} level",
            ]
            if entry.best_val_loss is not None:
                lines.append(f"Best held-out loss: {entry.best_val_loss:.3f}")
            st.markdown("  \n".join(lines))
        _dropped_models()
        _training_status()
        room = classroom.current_class()
        if room is not None:
            st.caption(f"Class {shown_code(room.code)}" + (" · you teach it" if classroom.teacher_secret(room) else ""))


def _dropped_models() -> None:
    dropped = session_models.take_dropped_names()
    if dropped:
        st.info(
            f"A session keeps at most {limits.MAX_SESSION_MODELS} models of its own "
            f"({size(limits.MAX_SESSION_MODEL_BYTES)} in all), so the least recently used went: "
            f"{plain(', '.join(dropped))}.",
            icon=":material/inventory_2:",
        )


def _training_status() -> None:
    run = session_runs.active_run()
    # Poll only while something runs, so an idle app costs the server nothing.
    every = POLL_SECONDS if run is not None else None

    @st.fragment(run_every=every)
    def status() -> None:
        if run is None:
            st.caption("No training running.")
            return
        snapshot = run.job.snapshot()
        if not snapshot.running:
            st.rerun()  # finished: redraw everything so the new model shows up
        if snapshot.state == "running" and snapshot.last_batch is not None:
            epochs = f"epoch {snapshot.last_batch.epoch} of {snapshot.train_config.epochs}"
            text = f"{plain(run.label)}: {epochs}, {duration(snapshot.elapsed)}"
        elif snapshot.state == "running":
            text = f"{plain(run.label)}: starting"
        elif snapshot.cluster_cpus is not None:
            text = f"{plain(run.label)}: waiting for the cluster"
        else:
            text = f"{plain(run.label)}: waiting for a free training slot"
        st.info(text, icon=":material/hourglass_top:")
        st.page_link("app_pages/train.py", label="Watch it train", icon=":material/show_chart:")

    status()

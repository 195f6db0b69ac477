"""What the Train page shows of finished runs: the samples written after each epoch, a run's summary and
download, and the comparison of every finished run of the session."""

from __future__ import annotations

import streamlit as st

from lstm_poem.network.model import token_name
from lstm_poem.running.job import JobSnapshot
from lstm_poem.teaching.run_charts import runs_chart
from lstm_poem.training.records import SAMPLE_TEMPERATURE, EpochRecord
from ui import session_models, session_runs
from ui.format import duration

SAMPLES_SHOWN_LIVE = 3


def unit(level: str) -> str:
    return f"nats per {token_name(level)}"


def show_samples(epochs: tuple[EpochRecord, ...], live: bool) -> None:
    with_text = [record for record in epochs if record.sample]
    if not with_text:
        return
    st.markdown(
        f"**What the model writes** after each epoch (at temperature {SAMPLE_TEMPERATURE:g}, from the held-out "
        "text's first line)"
    )
    shown = with_text[-SAMPLES_SHOWN_LIVE:] if live else with_text[-1:]
    for record in reversed(shown):
        st.caption(f"After epoch {record.epoch} (held-out loss {record.val_loss:.3f})")
        st.code(record.sample, language=None, wrap_lines=True)
    if not live and len(with_text) > 1:
        with st.expander(f"All {len(with_text)} samples, from noise to verse"):
            for record in with_text:
                st.caption(f"After epoch {record.epoch}")
                st.code(record.sample, language=None, wrap_lines=True)


def show_summary(run: session_runs.Run, snapshot: JobSnapshot) -> None:
    result = snapshot.result
    level = snapshot.model_config.level
    loss, bits, epochs, speed = st.columns(4)
    loss.metric("Best held-out loss", f"{result.best_val_loss:.3f}", help=unit(level) + ", on text it never saw")
    bits.metric("Bits per character", f"{result.val_bits_per_char:.2f}", help="The same loss in bits per character.")
    epochs.metric("Best epoch", f"{result.best_epoch} of {result.epochs_run}")
    speed.metric("Training time", duration(result.seconds), help=f"{result.train_tokens_per_s:,.0f} tokens per second")
    entry = session_models.models().get(run.model_key or "")
    if entry is None:
        return
    download, generate, _ = st.columns([1, 1, 2])
    download.download_button(
        "Download the model",
        data=entry.bundle(),
        file_name=f"lstm-poem-run{run.number}-{run.corpus_name}-{snapshot.model_config.cell}.zip",
        mime="application/zip",
        icon=":material/download:",
        help="A .zip you can load again on the Generate page, or use with `python -m lstm_poem generate`.",
    )
    if generate.button("Write poems with it", icon=":material/edit_note:", type="primary"):
        session_models.select_model(entry.key)
        st.switch_page("app_pages/generate.py")


def bits_per_char(run: session_runs.Run, snapshot: JobSnapshot) -> float:
    """Held-out bits per character; a word run's unknown words paid for, as in the improvements table."""
    return run.bits_per_char if run.bits_per_char is not None else snapshot.result.val_bits_per_char


def show_comparison(runs: list[session_runs.Run]) -> None:
    """Overlay the held-out loss of every finished run of this session."""
    finished = [(run, run.job.snapshot()) for run in runs]
    finished = [(run, snap) for run, snap in finished if snap.state == "done" and snap.epochs]
    if not finished:
        return
    st.subheader("Compare runs")
    if len(finished) == 1:
        st.caption("Train again with other settings (LSTM or GRU, 1 or 2 layers…) and the runs appear here together.")
    levels = {snap.model_config.level for _, snap in finished}
    chart_unit = unit(levels.pop()) if len(levels) == 1 else "nats per token"
    # Bits per character in the legend: the one measure that compares character and word runs.
    labelled = [(f"{run.label} · {bits_per_char(run, snap):.2f} bits/char", snap.epochs) for run, snap in finished]
    st.altair_chart(runs_chart(labelled, unit=chart_unit), width="stretch")
    st.dataframe(
        [
            {
                "run": run.label,
                "best held-out loss": round(snap.result.best_val_loss, 3),
                "bits per character": round(bits_per_char(run, snap), 3),
                "best epoch": snap.result.best_epoch,
                "epochs": snap.result.epochs_run,
                "stopped by": snap.result.stop_reason.replace("_", " "),
                "seconds": round(snap.result.seconds, 1),
                "window": snap.train_config.seq_len,
                "dropout": snap.model_config.dropout,
                "learning rate": snap.train_config.learning_rate,
            }
            for run, snap in finished
        ],
        hide_index=True,
    )

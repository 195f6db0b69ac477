"""The Train page's live view of a run (its outcome and the comparison of runs: :mod:`ui.run_results`).

The live part is a fragment that re-reads the job's snapshot every second. The
training thread never calls Streamlit: it only fills the job's records, so a
click, a page switch or a closed tab cannot disturb it.
"""

from __future__ import annotations

import streamlit as st

from lstm_poem.running.job import SLOTS, JobSnapshot
from lstm_poem.teaching.loss_charts import loss_chart_spec
from ui import session_runs
from ui.class_board import show_board
from ui.format import duration, plain
from ui.memorising_view import show_memorising
from ui.run_results import show_samples, show_summary, unit

LIVE_POLL_SECONDS = 1.0


def show_run(run: session_runs.Run) -> None:
    """The latest run: live while it trains, then its outcome, summary and download."""
    first = run.job.snapshot()

    @st.fragment(run_every=LIVE_POLL_SECONDS if first.running else None)
    def live() -> None:
        snapshot = run.job.snapshot()
        if first.running and not snapshot.running:
            st.rerun()  # just finished: redraw the whole page (buttons, summary, download)
        st.markdown(f"#### {plain(run.label)}")
        if snapshot.left and snapshot.training:
            _left(snapshot)
            return
        _shared(snapshot)
        if snapshot.state == "queued":
            _queued(snapshot)
            return
        if snapshot.state == "cancelled":
            st.info(plain(snapshot.error or "This training was stopped before it started."))
            return
        if snapshot.state == "failed":
            st.error(plain(snapshot.error or "Training failed."), icon=":material/error:")
            return
        _progress(snapshot)
        _early_stopping(snapshot)
        st.vega_lite_chart(spec=_loss_chart(run, snapshot), width="stretch")
        show_samples(snapshot.epochs, live=snapshot.running)

    live()
    snapshot = run.job.snapshot()
    if session_runs.finished_since_collected(run, snapshot):
        # It finished during this script run: the next one hands its model back at the top
        # (streamlit_app.py) and starts the next queued training, which it then shows.
        st.rerun()
    if snapshot.state == "done" and snapshot.result is not None:
        show_summary(run, snapshot)
        show_memorising(run, snapshot)


def _shared(snapshot: JobSnapshot) -> None:
    if snapshot.time_note and snapshot.training:
        st.info(snapshot.time_note, icon=":material/timer:")
    if not snapshot.classmates:
        return
    others = "1 classmate" if snapshot.classmates == 1 else f"{snapshot.classmates} classmates"
    st.info(
        f"You and {others} asked for exactly this training: you are all watching the same one, and each of "
        "you gets its model as a run of your own. Stop takes you out of it; it goes on while anyone watches.",
        icon=":material/groups:",
    )


def _left(snapshot: JobSnapshot) -> None:
    epoch = snapshot.epochs[-1].epoch if snapshot.epochs else 0
    st.info(
        f"You left this shared training after epoch {epoch}. It goes on for your classmates, and its model "
        "joins your models here when it ends. You can train something else meanwhile.",
        icon=":material/logout:",
    )


def _queued(snapshot: JobSnapshot) -> None:
    if snapshot.cluster_cpus is not None:  # Ray schedules it: no place in this server's line
        st.info(_cluster_wait(snapshot.cluster_cpus), icon=":material/hourglass_top:")
        return
    place, wait = snapshot.queue_place or (1, None)
    line = "You are next in line" if place == 1 else f"You are number {place} in line"
    within = f" Yours should start within about {duration(wait)} (sooner if a training stops early)." if wait else ""
    st.info(
        f"Waiting for a free training slot: {SLOTS.busy} of the {SLOTS.size} trainings this server runs at once "
        f"are running. {line}.{within} It starts by itself; you can keep using the other pages.",
        icon=":material/hourglass_top:",
    )
    st.markdown("**Meanwhile, the class's trainings** (the class board, live):")
    show_board()  # this fragment already redraws every second


def _loss_chart(run: session_runs.Run, snapshot: JobSnapshot) -> dict:
    """The loss chart's spec, rebuilt only when a record has arrived since the last poll: a poll that
    finds nothing new (most of them, between batches) costs the trainings nothing."""
    stopped_early = snapshot.result is not None and snapshot.result.stopped_early
    last = snapshot.last_batch
    key = (len(snapshot.epochs), (last.epoch, last.batch) if last else None, snapshot.running, stopped_early)
    if run.chart is None or run.chart[0] != key:
        spec = loss_chart_spec(
            snapshot.epochs, snapshot.batches, stopped_early=stopped_early, unit=unit(snapshot.model_config.level)
        )
        run.chart = (key, spec)
    return run.chart[1]


def _cluster_wait(cpus: int) -> str:
    if not cpus:
        return "Connecting to the training cluster…"
    return (
        f"Waiting for the cluster: its {cpus} CPUs are all busy with other trainings. Yours starts by itself "
        "as soon as one is free."
    )


def _progress(snapshot: JobSnapshot) -> None:
    total = snapshot.train_config.epochs
    batch = snapshot.last_batch
    if snapshot.running:
        if batch is None:
            st.progress(0.0, text=f"Building the model and starting epoch 1 of {total}…")
            return
        st.progress(
            batch.fraction,
            text=f"Epoch {batch.epoch} of {total} (at most): batch {batch.batch} of {batch.batches} · "
            f"{duration(snapshot.elapsed)} elapsed" + (" · stopping…" if snapshot.stop_requested else ""),
        )
    else:
        seconds = snapshot.result.seconds if snapshot.result is not None else snapshot.elapsed
        st.progress(1.0, text=f"Finished after {len(snapshot.epochs)} epochs in {duration(seconds)}.")


def _stopped_because(snapshot: JobSnapshot, epoch: int) -> str:
    if snapshot.abandoned:
        return f"Training stopped at epoch {epoch} because no page was watching it for a while; "
    if snapshot.gave_way:
        return (
            f"Training stopped at epoch {epoch} to give a class its turn: every training slot of the server "
            "was taken, and this training had had its share; "
        )
    return f"You stopped training at epoch {epoch}; "


def _patience_dots(used: int, patience: int) -> str:
    return "●" * used + "○" * max(patience - used, 0)


def _early_stopping(snapshot: JobSnapshot) -> None:
    """The early-stopping indicator: patience used while training, and what happened at the end."""
    patience = snapshot.train_config.patience
    if not snapshot.epochs:
        st.caption(
            f"Early stopping watches the held-out loss and ends training after {patience} epochs without "
            "improvement, then restores the best weights."
        )
        return
    last = snapshot.epochs[-1]
    best = f"best: epoch {last.best_epoch}, held-out loss {last.best_val_loss:.3f}"
    result = snapshot.result
    if result is not None:
        if result.train_config.keep_weights == "best":
            restored = f"restored the weights of epoch {result.best_epoch}"
            kept = f"the weights of the best epoch, {result.best_epoch}, were kept."
        else:  # the settings asked for the last epoch's weights, learnt by heart or not
            restored = "kept the last epoch's weights, as the settings ask"
            kept = "the last epoch's weights were kept, as the settings ask."
        endings = {
            "early_stopping": f"**Early stopping fired**: no improvement for {patience} epochs, so training "
            f"stopped at epoch {last.epoch} and {restored} (held-out loss {result.best_val_loss:.3f}).",
            "time_limit": f"The time limit ended training at epoch {last.epoch}; {kept}",
            "user_stop": _stopped_because(snapshot, last.epoch) + kept,
            "max_epochs": f"All {last.epoch} epochs ran; {kept}",
        }
        st.info(
            endings[result.stop_reason],
            icon=":material/front_hand:" if result.stopped_early else ":material/check_circle:",
        )
        return
    used = last.epochs_without_improvement
    dots = _patience_dots(used, patience)
    if used == 0:
        st.success(
            f"Early stopping: {dots} the held-out loss improved at epoch {last.epoch} ({best}).",
            icon=":material/trending_down:",
        )
    else:
        st.warning(
            f"Early stopping: {dots} no improvement for {used} of {patience} epochs ({best}). "
            f"At {patience} of {patience} training stops.",
            icon=":material/timer:",
        )



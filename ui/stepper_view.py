"""The Watch-it-write page's live part: step buttons, play/pause, a hand-picked token, and each step drawn.

The session keeps one :class:`~lstm_poem.teaching.stepper.Stepper` (its recurrent state
included), rebuilt only when the model or a sampling setting changes, so a step
costs one pass of the network and a few small charts.
"""

from __future__ import annotations

import html

import streamlit as st

from lstm_poem.teaching.copying import CopyReport
from lstm_poem.teaching.step_charts import draw_spec, step_odds_spec
from lstm_poem.teaching.stepper import Column, ColumnStep, Step, StepError, Stepper, loop_length
from ui import memo, session_models
from ui.copy_marks import check_poem, marked_html, show_copy_caption
from ui.format import plain
from ui.sampling_controls import Sampling

SPEEDS = {"slow (1 per second)": 1.0, "medium (2 per second)": 0.5, "fast (4 per second)": 0.25}
MOST_STEPS = 400  # the longest poem this page writes: a lesson needs no more, and the page stays light
TEXT_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.25rem; line-height: 1.6"
PICK_STYLE = "background: #e45756; color: white; border-radius: 3px; padding: 0 2px"


def current_stepper(entry: session_models.ModelEntry, sampling: Sampling) -> Stepper:
    """This session's stepper for these settings (a new one, paused, when anything changed).

    Raises PrimeError when the seed cannot start a poem."""
    key = (entry.key, sampling.prime, tuple(sampling.temperatures), sampling.seed, sampling.shared_noise)
    kept = st.session_state.get("stepper")
    if kept is None or kept[0] != key:
        generator = entry.generator()
        columns = [Column(generator, t) for t in sampling.temperatures]
        kept = (key, Stepper(sampling.prime, columns, seed=sampling.seed, shared_noise=sampling.shared_noise))
        st.session_state["stepper"] = kept
        st.session_state["stepper_playing"] = False
    return kept[1]


def restart() -> None:
    """Forget the poem so far; the next run starts again from the seed."""
    st.session_state.pop("stepper", None)
    st.session_state["stepper_playing"] = False


def show_stepper(entry: session_models.ModelEntry, sampling: Sampling, token: str) -> None:
    """Speed choice (outside the fragment: it sets how often the fragment reruns), then the live part."""
    speed = st.select_slider("Speed when playing", list(SPEEDS), key=memo.kept("stepper_speed", list(SPEEDS)[1]))
    playing = st.session_state.get("stepper_playing", False)

    @st.fragment(run_every=SPEEDS[speed] if playing else None)
    def live() -> None:
        stepper = current_stepper(entry, sampling)  # looked up each time: "Start again" replaces it
        _controls(stepper, token)
        if st.session_state.get("stepper_playing", False):
            if stepper.steps >= MOST_STEPS:
                _set_playing(False)  # the poem is as long as this page writes
            stepper.step()
        _show_step(entry, stepper, sampling, token)

    live()


def _set_playing(playing: bool) -> None:
    st.session_state["stepper_playing"] = playing
    st.rerun()  # the whole page, so the fragment is set up again with (or without) its timer


def _controls(stepper: Stepper, token: str) -> None:
    playing = st.session_state.get("stepper_playing", False)
    full = stepper.steps >= MOST_STEPS
    with st.container(horizontal=True, vertical_alignment="bottom"):
        if st.button("One step", icon=":material/skip_next:", type="primary", disabled=playing or full):
            stepper.step()
        if st.button("Ten steps", icon=":material/fast_forward:", disabled=playing or full):
            for _ in range(min(10, MOST_STEPS - stepper.steps)):
                stepper.step()
        if playing:
            if st.button("Pause", icon=":material/pause:"):
                _set_playing(False)
        elif st.button("Play", icon=":material/play_arrow:", disabled=full):
            _set_playing(True)
        st.button("Start again", icon=":material/restart_alt:", on_click=restart, disabled=stepper.steps == 0)
        chosen = st.text_input(
            f"Or choose the next {token} yourself",
            key="hand_pick",
            max_chars=1 if token == "character" else 40,
            placeholder="e.g. q" if token == "character" else "e.g. moon",
            disabled=playing or full,
        )
        if st.button("Write it", icon=":material/touch_app:", disabled=playing or full):
            # A space is a character worth choosing; around a word it is only typing.
            _write_by_hand(stepper, chosen if token == "character" else chosen.strip(), token)
    if stepper.steps >= MOST_STEPS:
        if not full:
            st.rerun()  # this click filled the poem: draw the buttons again, disabled
        st.caption(f"This page writes up to {MOST_STEPS} {token}s; press Start again for a new poem.")


def _write_by_hand(stepper: Stepper, chosen: str, token: str) -> None:
    if not chosen:
        st.warning(f"Type a {token} first.", icon=":material/edit:")
        return
    try:
        stepper.step(by_hand=chosen)
    except StepError as err:
        st.warning(plain(err), icon=":material/edit:")


def _show_step(entry: session_models.ModelEntry, stepper: Stepper, sampling: Sampling, token: str) -> None:
    step = stepper.last
    if step is None:
        st.info(
            f"Press **One step**: each column's model gives its odds for the next {token}, one random number "
            "is drawn, and the column writes the one whose stretch of 0 to 1 it falls in.",
            icon=":material/touch_app:",
        )
    else:
        st.markdown(f"**Step {step.number}: where the random number fell**")
        st.vega_lite_chart(spec=draw_spec(step, token), width="stretch")
        st.caption(_draw_caption(step, sampling.shared_noise))
    for index, column in enumerate(st.columns(len(stepper.columns))):
        with column:
            st.markdown(f"##### T = {stepper.columns[index].temperature:g}")
            copied = check_poem(entry, stepper.prime(index), stepper.text(index))
            _show_text(stepper, index, step is not None, copied)
            show_copy_caption(copied)
            if step is None:
                continue
            st.caption(_pick_caption(step.columns[index], token))
            period = loop_length(stepper.text(index))
            if period:
                st.caption(
                    f":material/repeat: Going round in a loop of {period} characters: at a low temperature the "
                    "model keeps taking its favourite, and the favourite leads back to the same place."
                )
            st.vega_lite_chart(spec=step_odds_spec(step.columns[index], token), width="stretch")


def _show_text(stepper: Stepper, index: int, highlight_last: bool, copied: CopyReport | None) -> None:
    written = stepper.text(index)
    seed_html = f'<span style="color: #888">{html.escape(stepper.prime(index))}</span>'
    if highlight_last and written:
        last = stepper.last.columns[index].pick
        before = marked_html(written[: len(written) - len(last)], copied)
        body = f'{before}<span style="{PICK_STYLE}">{html.escape(last)}</span>'
    else:
        body = marked_html(written, copied)
    st.html(f'<div dir="auto" style="{TEXT_STYLE}">{seed_html}{body}</div>')


def _draw_caption(step: Step, shared_noise: bool) -> str:
    if all(column.by_hand for column in step.columns):
        return "This step was chosen by hand, so no random number was used."
    if shared_noise:
        return (
            f"Every column used the same random number, u = {step.columns[0].draw:.3f}. Each row lays that "
            "column's odds end to end, likeliest first: a low temperature gives the favourite a long stretch, "
            "a high one shares 0 to 1 out more evenly, so the same number can land on a rarer choice."
        )
    return "Each column drew its own random number (the black marks); turn on the same random numbers to compare."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _pick_caption(column: ColumnStep, token: str) -> str:
    choice = "its favourite" if column.rank == 1 else f"its {_ordinal(column.rank)} likeliest {token}"
    odds = f"p = {column.prob:.1%} at T = {column.temperature:g}"
    if column.temperature != 1.0:
        odds += f", {column.model_prob:.1%} for the model itself (T = 1)"
    if column.by_hand:
        return f"You chose **{plain(column.pick_label)}**: {choice}; {odds}."
    low, high = column.band
    return f"u = {column.draw:.3f} fell in **{plain(column.pick_label)}** ({low:.3f} to {high:.3f}): {choice}; {odds}."

"""The Inside page's four parts: the cell explained, gates at work, next-character odds, watching it learn."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from lstm_poem.network.generate import odds_from_logits
from lstm_poem.network.model import token_name
from lstm_poem.teaching.inside import Trace, correlations, interesting_units, text_features, trace
from lstm_poem.teaching.inside_charts import (
    activation_heatmap,
    learning_timeline,
    one_step_chart,
    unit_text_html,
    visible,
)
from lstm_poem.teaching.odds_charts import next_token_chart
from ui import session_models, session_runs
from ui.format import plain

if TYPE_CHECKING:  # only named in a type hint: importing it would load Keras
    from lstm_poem.network.transformer import AttentionMap

MAX_TRACE_TOKENS = 300  # about ten lines: enough to see patterns, small enough to draw quickly
MAX_HEATMAP_UNITS = 48
STEP_UNITS = 16
GATES = {"forget gate", "input gate", "output gate", "update gate", "reset gate"}
TEXT_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.1rem; line-height: 1.7"

# One row per equation: (LaTeX, what it means in one sentence).
EQUATIONS = {
    "lstm": [
        (r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)", "**Forget gate**: how much of the old memory to keep, "
         "from 0 (wipe it) to 1 (keep it all)."),
        (r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)", "**Input gate**: how much of the new candidate to write."),
        (r"\tilde c_t = \tanh(W_c x_t + U_c h_{t-1} + b_c)", "**Candidate memory**: what it could write, "
         "between -1 and 1."),
        (r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t", "**Cell update**: keep part of the old memory, "
         "add part of the new; this sum is what lets it remember for long."),
        (r"o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)", "**Output gate**: how much of the memory to show now."),
        (r"h_t = o_t \odot \tanh(c_t)", "**Hidden state**: what the next layer, and the prediction of the "
         "next character, get to see."),
    ],
    "gru": [
        (r"z_t = \sigma(W_z x_t + U_z h_{t-1} + b_z)", "**Update gate**: how much of the old state to keep "
         "(1) rather than replace (0)."),
        (r"r_t = \sigma(W_r x_t + U_r h_{t-1} + b_r)", "**Reset gate**: how much of the old state the "
         "candidate may look at."),
        (r"\tilde h_t = \tanh(W_h x_t + r_t \odot (U_h h_{t-1} + b'_h) + b_h)", "**Candidate state**: a new "
         "state built from the input and the part of the past the reset gate lets through."),
        (r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t", "**Hidden state**: a blend of old and new; "
         "the GRU has no separate cell memory."),
    ],
    "rnn": [
        (r"h_t = \tanh(W x_t + U h_{t-1} + b)", "**Hidden state**: the whole memory is rewritten at every "
         "step, which is why a plain RNN forgets quickly."),
    ],
}


def current_trace(entry: session_models.ModelEntry, text: str) -> Trace:
    """The trace of ``text``, kept for the last text only (a trace holds several MB of numbers)."""
    key = (entry.key, text)
    kept = st.session_state.get("inside_trace")
    if kept is None or kept[0] != key:
        kept = (key, trace(entry.poem, text, max_tokens=MAX_TRACE_TOKENS))
        st.session_state["inside_trace"] = kept
    return kept[1]


def explain_cell(cell: str, result: Trace) -> None:
    st.markdown(f"At every character, each unit of a **{cell.upper()}** layer computes:")
    for latex, meaning in EQUATIONS[cell]:
        left, right = st.columns([3, 4], vertical_alignment="center")
        left.latex(latex)
        right.markdown(meaning)
    st.caption(
        "x is the character just read (as its embedding), h the hidden state, σ squashes any number into 0..1 "
        "and ⊙ multiplies unit by unit. W, U and b are the weights the training learned."
    )
    step = st.slider(
        "One step in numbers: the character", 1, len(result.pieces), value=min(5, len(result.pieces)),
        key="inside_step",
    )
    piece = visible(result.pieces[step - 1])
    st.markdown(f"Reading **{plain(piece)}** (character {step}), the first {STEP_UNITS} units of layer 1:")
    values = result.layers[0].values
    units = range(min(STEP_UNITS, next(iter(values.values())).shape[1]))
    st.altair_chart(one_step_chart(values, step - 1, list(units)), width="stretch")


def _unit_order(result: Trace, values: np.ndarray, order: str) -> list[int]:
    if order == "unit number":
        ranking = np.arange(values.shape[1])
    elif order == "most active":
        ranking = np.argsort(-np.abs(values).mean(axis=0))
    elif order == "most changing":
        ranking = np.argsort(-values.std(axis=0))
    else:
        feature = text_features(result.pieces)[order.removeprefix("follows ")]
        ranking = np.argsort(-np.abs(np.nan_to_num(correlations(values, feature))))
    return [int(u) for u in ranking[:MAX_HEATMAP_UNITS]]


def gates_at_work(result: Trace) -> None:
    layers = result.layers
    left, middle, right = st.columns(3)
    layer = left.selectbox("Layer", range(len(layers)), format_func=lambda i: f"layer {i + 1}", key="inside_layer")
    names = list(layers[layer].values)
    quantity = middle.selectbox("Show", names, index=names.index(_default_quantity(names)), key="inside_quantity")
    orders = ["unit number", "most active", "most changing"] + [f"follows {f}" for f in text_features([])]
    order = right.selectbox("Sort the units by", orders, index=2, key="inside_order")
    values = layers[layer].values[quantity]
    units = _unit_order(result, values, order)
    st.caption(f"{len(units)} of {values.shape[1]} units, {len(result.pieces)} characters. Hover a cell for its value.")
    st.altair_chart(activation_heatmap(result.pieces, values, units, quantity, quantity in GATES))

    st.markdown("#### Find interesting units")
    st.caption(
        "Units whose memory rises and falls with a simple feature of the text. Pick one to colour the text by "
        "it: blue where the unit is high, red where it is low (the colours of the heat map)."
    )
    findings = interesting_units(result)
    if not findings:
        st.info("The text is too uniform to tell units apart; type a few varied lines.")
        return
    chosen = st.radio(
        "Unit",
        range(len(findings)),
        format_func=lambda i: f"layer {findings[i].layer + 1}, unit {findings[i].unit}: {findings[i].feature} "
        f"(r = {findings[i].correlation:+.2f})",
        key="inside_unit",
    )
    finding = findings[chosen]
    memory = result.layers[finding.layer].memory[:, finding.unit]
    st.html(f'<div dir="auto" style="{TEXT_STYLE}">{unit_text_html(result.pieces, memory)}</div>')


def _default_quantity(names: list[str]) -> str:
    return "cell state" if "cell state" in names else "hidden state"


def next_character_odds(entry: session_models.ModelEntry, result: Trace | AttentionMap) -> None:
    token = token_name(entry.config.level)
    # Mid-word by default, where the odds are most instructive.
    last = len(result.pieces)
    position = st.slider(f"After {token}", 1, last, value=min(14, last), key="inside_position")
    temperature = st.slider("Temperature", 0.0, 2.0, value=1.0, step=0.05, key="inside_temperature")
    read, rest = "".join(result.pieces[:position]), "".join(result.pieces[position:])
    st.html(
        f'<div dir="auto" style="{TEXT_STYLE}">{html.escape(read[:-1])}<mark>{html.escape(read[-1:])}</mark>'
        f'<span style="color: #999">{html.escape(rest)}</span></div>'
    )
    temperatures = [1.0] if temperature == 1.0 else [1.0, temperature]
    odds = odds_from_logits(result.logits[position - 1], entry.poem.tokenizer, temperatures)
    st.altair_chart(next_token_chart(odds, token), width="stretch")
    st.caption(
        "The bars at T = 1 are the model's own odds. Any other temperature divides the scores before they become "
        "odds: below 1 the favourite grows, above 1 the odds even out; the entropy in the legend says how spread "
        "out they are, in bits."
    )


def watch_it_learn() -> None:
    runs = [run for run in session_runs.runs() if run.job.snapshot().epochs]
    if not runs:
        st.info("Train a model in this session (the Quick demo takes seconds) and its progress appears here.")
        st.page_link("app_pages/train.py", label="Train a model", icon=":material/show_chart:")
        return
    labels = {run.number: run.label for run in runs}
    number = st.selectbox("Run", list(labels), index=len(labels) - 1, format_func=labels.get, key="inside_run")
    epochs = next(run for run in runs if run.number == number).job.snapshot().epochs
    st.altair_chart(learning_timeline(epochs), width="stretch")
    with st.container(height=480):
        for record in epochs:
            left, right = st.columns([1, 4])
            left.metric(f"Epoch {record.epoch}", f"{record.val_loss:.3f}", help="held-out loss")
            right.code(record.sample or "(no sample)", language=None)

"""The Train page's "Start from" choice: a fresh network, or fine-tuning a model that exists."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lstm_poem.files.pretrained import pretrained_catalog
from lstm_poem.teaching.class_board import network_name
from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE
from ui import memo, session_models

SCRATCH = "scratch"


@dataclass(frozen=True)
class Start:
    """What the user chose: the base model (None = from scratch) and what to keep fixed."""

    base: session_models.ModelEntry | None = None
    freeze_embedding: bool = False
    freeze_layers: int = 0


def pick_start() -> Start:
    """Draw the choice; only a chosen pretrained model is loaded (that starts TensorFlow)."""
    labels = {SCRATCH: "From scratch (random weights)"}
    prefix = session_models.PRETRAINED_PREFIX
    labels |= {prefix + item.name: f"{item.title} (pretrained)" for item in pretrained_catalog()}
    labels |= {key: f"{entry.name} ({entry.source})" for key, entry in session_models.models().items()}
    choice = st.selectbox(
        "Start from",
        list(labels),
        format_func=labels.get,
        key=memo.kept("start_from", SCRATCH),
        help="Fine-tuning starts from a model that already knows English verse and nudges it towards your text, "
        "so a small corpus is learned in far less time than from scratch.",
    )
    if choice == SCRATCH or choice not in labels:
        return Start()
    base = session_models.available_models().get(choice)
    if base is None:
        return Start()
    config = base.config
    st.caption(
        f"Fine-tuning keeps the base's network ({network_name(config)}) and vocabulary, and trains at learning "
        f"rate {FINE_TUNE_LEARNING_RATE:g} (Custom can change it) so it adapts without forgetting what it knows. "
        "The network settings below are not used."
    )
    layers_key = memo.kept("freeze_layers", 0)
    st.session_state[layers_key] = min(st.session_state[layers_key], config.layers)  # the base may have fewer
    with st.container(horizontal=True):
        freeze_embedding = st.toggle(
            "Keep the embedding fixed", key=memo.kept("freeze_embedding", False), help="What it knows of letters."
        )
        freeze_layers = st.number_input(
            "Recurrent layers kept fixed",
            0,
            config.layers,
            step=1,
            key=layers_key,
            help="The lowest layers hold the most general patterns; fixing them trains faster and forgets less.",
        )
    return Start(base, freeze_embedding, int(freeze_layers))

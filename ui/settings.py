"""The Train page's second step: a preset, or every engine setting by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from lstm_poem import limits
from lstm_poem.checks import ConfigError
from lstm_poem.network.model import TRANSFORMER_SETTINGS, ModelConfig
from lstm_poem.text.corpus import Corpus
from lstm_poem.text.tokenizer import word_level_problem
from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE
from lstm_poem.training.presets import PRESETS, SAMPLE_LENGTH
from lstm_poem.training.train_config import (
    TRANSFORMER_MODEL,
    TRANSFORMER_TRAINING,
    TrainConfig,
    check_window,
    training_defaults,
)
from ui import memo
from ui.format import plain

CUSTOM = "Custom"
PRESET_KEY = "preset"


@dataclass(frozen=True)
class Setting:
    """One engine setting as a widget: which config field, how it is drawn, what it means."""

    field: str
    label: str
    widget: str  # "select" | "int" | "float" | "slider"
    help: str
    options: tuple = ()  # choices for "select"; (low, high, step) for numbers and sliders

    @property
    def key(self) -> str:
        return f"setting_{self.field}"


MODEL_SETTINGS = (
    Setting("level", "Level", "select", "Learn characters (can invent words) or whole words (reads better, "
            "needs more text).", ("char", "word")),
    Setting("cell", "Cell", "select", "LSTM and GRU remember across long stretches; a plain RNN forgets "
            "quickly, which is instructive to compare. A Transformer (what GPT is built from) has no memory: "
            "it looks back at every earlier character at once.", ("lstm", "gru", "rnn", "transformer")),
    Setting("layers", "Layers", "int", "Recurrent layers (or Transformer blocks) stacked on each other.",
            (1, 8, 1)),
    Setting("units", "Units per layer", "int", "The size of the network's memory (a Transformer's width). More "
            "learns more but trains slower and memorises a small text sooner.", (16, 1024, 16)),
    Setting("embedding", "Embedding size", "int", "How many numbers describe each character or word (a "
            "Transformer's are as many as its units).", (8, 512, 8)),
    Setting("dropout", "Dropout", "slider", "Share of connections switched off at random while training, "
            "so the model cannot just memorise.", (0.0, 0.6, 0.05)),
    Setting("heads", "Attention heads", "int", "Transformer only: how many separate ways each block looks back; "
            "the units are split between them.", (1, 16, 1)),
    Setting("context", "Context (tokens)", "int", "Transformer only: the furthest back it can look. Windows "
            "longer than this are cut to it.", (16, 512, 16)),
)
# Settings that only a Transformer reads; for another cell they keep the defaults the engine expects.
TRANSFORMER_ONLY = ("heads", "context")
TRAIN_SETTINGS = (
    Setting("seq_len", "Window (tokens)", "int", "How far back the network is trained to look: the length "
            "of each training snippet.", (8, 400, 8)),
    Setting("batch_size", "Batch size", "select", "Snippets per weight update. Smaller batches make more "
            "(noisier) updates per epoch.", (8, 12, 16, 32, 64, 128, 256)),
    Setting("learning_rate", "Learning rate", "select", "Step size of each update. It is halved "
            "automatically whenever the held-out loss stops improving.", (0.0003, 0.001, 0.003, 0.01, 0.02, 0.05)),
    Setting("lr_patience", "Learning-rate patience", "int", "Epochs without a better held-out loss before the "
            "learning rate is halved; 0 = never. At 0, with a high patience, a small text trained long is learnt "
            "by heart: watch the copied share under the chart.", (0, 50, 1)),
    Setting("epochs", "Max epochs", "int", "Passes over the text at most; early stopping usually ends "
            "training sooner.", (1, limits.MAX_EPOCHS, 1)),
    Setting("patience", "Patience", "int", "Early stopping: epochs without a better held-out loss before "
            "training stops (the best weights are then restored).", (1, 200, 1)),
    Setting("keep_weights", "Weights kept", "select", "The best epoch's (what early stopping restores), or the "
            "last epoch's: trained on long past the best, those have learnt the text by heart, and on Generate "
            "their poems are marked copied.", ("best", "last")),
    Setting("warmup_steps", "Warm-up (batches)", "int", "The learning rate climbs from almost 0 to its full "
            "value over this many batches. A Transformer needs it (a hundred or so); an LSTM does not.",
            (0, 5000, 50)),
    Setting("weight_decay", "Weight decay", "select", "AdamW pulls every weight a little towards 0 at each update, "
            "which keeps a Transformer from memorising; 0 is plain Adam.", (0.0, 0.01, 0.1)),
    Setting("val_fraction", "Held-out fraction", "slider", "The end of the text kept aside to measure "
            "how well the model does on verse it never trained on.", (0.05, 0.5, 0.05)),
    Setting("time_limit", "Time limit (s)", "int", "Training stops after this many seconds, keeping the best "
            f"weights so far. This server allows {limits.MAX_TRAINING_SECONDS} s at most, so that everyone gets "
            "a turn.", (15, limits.MAX_TRAINING_SECONDS, 15)),
    Setting("seed", "Random seed", "int", "Same seed and settings, same training: useful for fair "
            "comparisons.", (0, 2**31 - 1, 1)),
)
ALL_SETTINGS = (*MODEL_SETTINGS, *TRAIN_SETTINGS)


def _preset_values(name: str) -> dict[str, Any]:
    preset = PRESETS[name]
    values = {**TRANSFORMER_SETTINGS, **preset.model.to_dict(), **preset.training.to_dict()}
    values["time_limit"] = int(values["time_limit"] or limits.MAX_TRAINING_SECONDS)
    return values


def _apply_preset() -> None:
    name = st.session_state[PRESET_KEY]
    if name in PRESETS:
        values = _preset_values(name)
        for setting in ALL_SETTINGS:
            st.session_state[setting.key] = values[setting.field]


def _to_custom() -> None:
    """A setting moved away from the chosen preset's value: these are now the user's own settings."""
    name = st.session_state[PRESET_KEY]
    if name not in PRESETS:
        return
    values = _preset_values(name)
    if any(st.session_state.get(setting.key) != values[setting.field] for setting in ALL_SETTINGS):
        st.session_state[PRESET_KEY] = CUSTOM


def _switch_recipe() -> None:
    """The cell moved to or from a Transformer: each training setting still at the other network's value
    takes this one's (a Transformer trains with smaller batches, a lower rate, a warm-up and a decay)."""
    lstm = {**ModelConfig().to_dict(), **TrainConfig().to_dict()}
    recipe = {**TRANSFORMER_MODEL, **TRANSFORMER_TRAINING}
    transformer = {**lstm, **recipe}
    to_transformer = st.session_state[_key("cell")] == "transformer"
    old, new = (lstm, transformer) if to_transformer else (transformer, lstm)
    for setting in ALL_SETTINGS:
        if setting.field in recipe and st.session_state.get(setting.key) == old[setting.field]:
            st.session_state[setting.key] = new[setting.field]
    _to_custom()


def _key(field: str) -> str:
    return next(setting.key for setting in ALL_SETTINGS if setting.field == field)


def _draw(setting: Setting, default: Any) -> Any:
    options = setting.options if setting.widget == "select" else None
    on_change = _switch_recipe if setting.field == "cell" else _to_custom
    common = {"help": setting.help, **memo.kept_widget(setting.key, default, options), "on_change": on_change}
    if setting.widget == "select":
        return st.selectbox(setting.label, setting.options, **common)
    low, high, step = setting.options
    if setting.widget == "slider":
        return st.slider(setting.label, low, high, step=step, **common)
    return st.number_input(setting.label, min_value=low, max_value=high, step=step, **common)


def pick_settings(fine_tuning: bool = False) -> tuple[ModelConfig, TrainConfig] | None:
    """Draw the preset choice and the custom controls; return valid configs or None (after saying why).

    When ``fine_tuning``, a preset trains at the gentler fine-tuning learning
    rate; Custom uses the rate the user set.
    """
    choices = [*PRESETS, CUSTOM]
    kept = memo.kept_widget(PRESET_KEY, choices[0], choices)
    name = st.radio("Settings", choices, horizontal=True, **kept, on_change=_apply_preset)
    st.caption(PRESETS[name].description if name in PRESETS else "Your own settings, below.")
    defaults = _preset_values(choices[0])
    values: dict[str, Any] = {}
    with st.expander(CUSTOM + ": every setting", expanded=name == CUSTOM):
        model_column, train_column = st.columns(2)
        with model_column:
            st.markdown("**The network**")
            for setting in MODEL_SETTINGS:
                values[setting.field] = _draw(setting, defaults[setting.field])
        with train_column:
            st.markdown("**The training**")
            for setting in TRAIN_SETTINGS:
                values[setting.field] = _draw(setting, defaults[setting.field])
    if name in PRESETS:  # what the preset says trains, whatever the hidden controls hold
        values = _preset_values(name)
    if values["cell"] != "transformer":
        values.update({field: defaults[field] for field in TRANSFORMER_ONLY})
    try:
        model_config = ModelConfig(**{s.field: values[s.field] for s in MODEL_SETTINGS})
        train_values = {s.field: values[s.field] for s in TRAIN_SETTINGS}
        if fine_tuning and name != CUSTOM:
            train_values["learning_rate"] = FINE_TUNE_LEARNING_RATE
        # What the form does not show (Adam's beta, the cosine's end) follows the network's recipe.
        recipe = {} if fine_tuning else training_defaults(model_config)
        hidden = {key: value for key, value in recipe.items() if key not in train_values}
        train_config = TrainConfig(**train_values, **hidden, sample_length=SAMPLE_LENGTH)
        check_window(model_config, train_config)
    except ConfigError as err:
        st.error(f"These settings cannot be used: {plain(err)}", icon=":material/error:")
        return None
    return model_config, train_config


def _use_characters() -> None:
    st.session_state[next(s.key for s in MODEL_SETTINGS if s.field == "level")] = "char"
    st.session_state[PRESET_KEY] = CUSTOM


def word_level_offer(model_config: ModelConfig, corpus: Corpus) -> bool:
    """At word level on a text without spaces between words: say why it cannot work, offer character level.
    True when it said so (the text cannot be trained with these settings)."""
    problem = word_level_problem(corpus.text) if model_config.level == "word" else None
    if problem:
        st.error(problem, icon=":material/translate:")
        st.button("Use character level", icon=":material/abc:", on_click=_use_characters)
    return problem is not None


def size_problem(model_config: ModelConfig, corpus: Corpus) -> str | None:
    """Why this network is too big for this server (before any training starts), or None."""
    vocab_size = corpus.distinct_chars if model_config.level == "char" else model_config.max_words
    try:
        model_config.check_size(vocab_size)
    except ConfigError as err:
        return str(err)
    return None

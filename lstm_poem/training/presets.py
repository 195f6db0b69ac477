"""Named training settings for the app's one-click choices.

Each preset is a pair of validated configs, so the Train page's "Custom"
controls start from exactly what the preset would run.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_poem.network.model import ModelConfig
from lstm_poem.training.train_config import TrainConfig

# Tokens of the sample written after each epoch, so a class watches noise turn into verse.
SAMPLE_LENGTH = 160


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    model: ModelConfig
    training: TrainConfig


PRESETS = {
    preset.name: preset
    for preset in (
        Preset(
            "Quick demo",
            "A small LSTM (128 units) on short windows: on a sample corpus it learns words and line "
            "breaks, and early stopping usually ends it within seconds (never later than 45 s).",
            ModelConfig(cell="lstm", layers=1, units=128, embedding=32, dropout=0.2),
            TrainConfig(seq_len=64, epochs=100, patience=3, time_limit=45, sample_length=SAMPLE_LENGTH),
        ),
        Preset(
            "Balanced",
            "The engine's tuned defaults (LSTM 256, window 100) for up to two and a half minutes: "
            "on a large corpus, spelling and rhythm get clearly better than the quick demo.",
            ModelConfig(),
            TrainConfig(epochs=200, patience=5, time_limit=150, sample_length=SAMPLE_LENGTH),
        ),
    )
}

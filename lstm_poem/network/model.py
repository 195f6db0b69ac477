"""The network: Embedding -> recurrent layer(s) -> Dense logits, or a small GPT (``lstm_poem.network.transformer``).

:class:`ModelConfig` is plain validated data (it is what a bundle stores), and
:func:`build_model` is the only place that turns it into Keras layers, so a
model file can never name a layer type we did not choose.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from lstm_poem import limits
from lstm_poem.checks import ConfigError, check_int, check_range
from lstm_poem.network.shapes import transformer_shapes
from lstm_poem.text.tokenizer import Tokenizer

RECURRENT_CELLS = ("lstm", "gru", "rnn")
CELLS = (*RECURRENT_CELLS, "transformer")
# Settings only a Transformer has; a recurrent model's description leaves them out, so the bundles and
# checkpoints written before they existed describe the same models as before.
TRANSFORMER_SETTINGS = {"heads": 4, "context": 256}
LEVELS = ("char", "word")
# Compute precisions for training. Weights stay float32 either way, so a bundle does not depend on it.
PRECISIONS = ("float32", "mixed_bfloat16")


def token_name(level: str) -> str:
    """What one token of a model at ``level`` is called on a page: "character" or "word"."""
    return "character" if level == "char" else "word"


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of a poem model. The vocabulary size comes from the tokenizer.

    For ``cell="transformer"``, ``layers`` counts blocks and ``units`` is the width of every token's
    vector; the embedding is that wide too (its table also reads out the logits), so ``embedding``
    follows ``units``. ``heads`` splits the width between attention heads, and ``context`` is the
    longest window the learned positions cover: training windows and generation never exceed it.
    """

    level: str = "char"
    cell: str = "lstm"
    layers: int = 1
    units: int = 256
    embedding: int = 64
    dropout: float = 0.2
    max_words: int = 4000  # vocabulary cap, word level only
    heads: int = TRANSFORMER_SETTINGS["heads"]  # Transformer only
    context: int = TRANSFORMER_SETTINGS["context"]  # Transformer only

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ConfigError(f"level must be one of {', '.join(LEVELS)}, not {self.level!r}.")
        if self.cell not in CELLS:
            raise ConfigError(f"cell must be one of {', '.join(CELLS)}, not {self.cell!r}.")
        check_int("layers", self.layers, 1, 8 if self.is_transformer else 3)
        check_int("units", self.units, 8, 2048)
        check_int("embedding", self.embedding, 4, 2048 if self.is_transformer else 1024)
        check_range("dropout", self.dropout, 0.0, 0.8)
        check_int("max_words", self.max_words, 10, 50_000)
        check_int("heads", self.heads, 1, 32)
        check_int("context", self.context, 4, 2048)
        if self.is_transformer:
            if self.units % self.heads:
                raise ConfigError(f"units ({self.units}) must be a multiple of heads ({self.heads}).")
            object.__setattr__(self, "embedding", self.units)  # tied: the table is as wide as the model
        elif any(getattr(self, name) != default for name, default in TRANSFORMER_SETTINGS.items()):
            raise ConfigError("heads and context are settings of a Transformer (cell transformer).")

    @property
    def is_transformer(self) -> bool:
        return self.cell == "transformer"

    @property
    def cell_name(self) -> str:
        """The kind of network in words: "LSTM", "GRU", "RNN" or "Transformer"."""
        return "Transformer" if self.is_transformer else self.cell.upper()

    def weight_shapes(self, vocab_size: int) -> list[tuple[int, ...]]:
        """Shapes of the network's weight arrays in Keras's order, computed without building anything
        (a bundle's arrays are checked against them before they are read)."""
        if self.is_transformer:
            return transformer_shapes(vocab_size, self.units, self.layers, self.context)
        gates = {"lstm": 4, "gru": 3, "rnn": 1}[self.cell] * self.units
        # Keras GRU keeps a second recurrent bias (reset_after=True).
        bias: tuple[int, ...] = (2, gates) if self.cell == "gru" else (gates,)
        shapes: list[tuple[int, ...]] = [(vocab_size, self.embedding)]
        width = self.embedding
        for _ in range(self.layers):
            shapes += [(width, gates), (self.units, gates), bias]
            width = self.units
        return [*shapes, (width, vocab_size), (vocab_size,)]

    def parameter_count(self, vocab_size: int) -> int:
        """Number of trainable weights, computed without building anything."""
        return sum(math.prod(shape) for shape in self.weight_shapes(vocab_size))

    def check_size(self, vocab_size: int) -> None:
        """Refuse models too big for a shared machine."""
        count = self.parameter_count(vocab_size)
        if count > limits.MAX_PARAMETERS:
            raise ConfigError(
                f"This model would have {count:,} weights; the limit is {limits.MAX_PARAMETERS:,}. "
                "Use fewer units, layers or words."
            )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.is_transformer:
            for name in TRANSFORMER_SETTINGS:
                del data[name]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Build from a dict, rejecting unknown keys (a typo should not pass silently)."""
        if not isinstance(data, dict):
            raise ConfigError("model config must be an object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"unknown model setting(s): {', '.join(sorted(unknown))}")
        return cls(**data)


def resolve_precision(requested: str) -> tuple[str, str]:
    """The compute precision a training asking for ``requested`` gets, and a note when that is not what it asked.

    bfloat16 is only worth it with native support (AVX-512 BF16 or AMX); an AVX2-only CPU gets float32.
    """
    if requested == "mixed_bfloat16" and not native_bfloat16():
        return "float32", "This CPU has no native bfloat16 (AVX-512 BF16 or AMX), so the model trained in float32."
    return requested, ""


def native_bfloat16() -> bool:
    """True when this CPU computes in bfloat16 natively (AVX-512 BF16 or AMX), where it pays to train in it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            flags = info.read()
    except OSError:  # not Linux: assume not
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def build_model(config: ModelConfig, vocab_size: int, precision: str = "float32"):
    """A Keras model mapping token ids [batch, time] to next-token logits [batch, time, vocab].

    The recurrent layers keep Keras's cuDNN-compatible defaults (tanh/sigmoid,
    no recurrent dropout, no unroll) so the same model trains fast on a GPU; on a CPU
    the LSTM runs each window in one fused kernel (:class:`~lstm_poem.network.fused_lstm.FusedLSTM`,
    Keras's LSTM with the same weights).
    With ``precision="mixed_bfloat16"`` the layers compute in bfloat16 on
    float32 weights; the logits stay float32, so the softmax and loss do too.
    """
    import keras

    from lstm_poem.network.fused_lstm import FusedLSTM

    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}.")
    config.check_size(vocab_size)
    if config.is_transformer:
        from lstm_poem.network.transformer import build_transformer

        return build_transformer(
            vocab_size, config.units, config.layers, config.heads, config.context, config.dropout, precision
        )
    layer_types = {"lstm": FusedLSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
    inputs = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, config.embedding, name="embedding", dtype=precision)(inputs)
    for i in range(config.layers):
        cell = layer_types[config.cell]
        x = cell(config.units, return_sequences=True, name=f"{config.cell}_{i + 1}", dtype=precision)(x)
        if config.dropout > 0:
            x = keras.layers.Dropout(config.dropout, name=f"dropout_{i + 1}", dtype=precision)(x)
    logits = keras.layers.Dense(vocab_size, name="logits", dtype="float32")(x)
    return keras.Model(inputs, logits, name=f"poem_{config.cell}")


def recurrent_layers(model) -> list:
    """The model's recurrent layers, first to last."""
    return [layer for layer in model.layers if hasattr(layer, "cell")]


def stacked_layers(model) -> list:
    """The layers stacked between the embedding and the logits (recurrent layers or Transformer
    blocks), first to last: what fine-tuning copies and may freeze."""
    from lstm_poem.network.transformer import blocks

    return recurrent_layers(model) or blocks(model)


@dataclass
class PoemModel:
    """A trained network with everything needed to use it: what train() returns,
    what a bundle holds, and what the Generator samples from."""

    network: Any  # keras.Model built by build_model
    tokenizer: Tokenizer
    config: ModelConfig
    # JSON-ready facts about how it was made: corpus, training settings, history, metrics.
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def seq_len(self) -> int:
        return int(self.info.get("training", {}).get("seq_len", 100))

    @property
    def attention_window(self) -> int:
        """How many tokens a Transformer attends to while writing or being looked into: its context, but
        no more than the windows it was trained on (positions beyond them never learned anything)."""
        return min(self.config.context, self.seq_len)

    @property
    def weight_bytes(self) -> int:
        """Memory its weights take, read from their shapes and types (nothing is copied)."""
        import numpy as np

        return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in self.network.weights)

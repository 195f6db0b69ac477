import numpy as np
import pytest

from lstm_poem.checks import ConfigError
from lstm_poem.network.model import LEVELS, ModelConfig, build_model, recurrent_layers, token_name


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers", [1, 2])
def test_parameter_count_matches_keras_and_output_shape(cell, layers):
    config = ModelConfig(cell=cell, layers=layers, units=16, embedding=8, dropout=0.2)
    network = build_model(config, vocab_size=30)
    assert network.count_params() == config.parameter_count(30)
    assert [tuple(w.shape) for w in network.weights] == config.weight_shapes(30)
    assert len(recurrent_layers(network)) == layers
    logits = network(np.zeros((2, 7), dtype=np.int32))
    assert tuple(logits.shape) == (2, 7, 30)


def test_recurrent_layers_keep_cudnn_compatible_settings():
    network = build_model(ModelConfig(cell="lstm", units=16, embedding=8), vocab_size=10)
    layer = recurrent_layers(network)[0]
    assert layer.return_sequences and not layer.unroll
    assert layer.cell.recurrent_dropout == 0
    assert layer.cell.activation.__name__ == "tanh"
    assert layer.cell.recurrent_activation.__name__ == "sigmoid"


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"cell": "gpt"}, "cell"),
        ({"level": "byte"}, "level"),
        ({"layers": 4}, "layers"),
        ({"layers": 1.5}, "whole number"),
        ({"units": 0}, "units"),
        ({"units": True}, "whole number"),
        ({"dropout": 0.95}, "dropout"),
        ({"embedding": "64"}, "whole number"),
    ],
)
def test_invalid_settings_are_named(settings, fragment):
    with pytest.raises(ConfigError, match=fragment):
        ModelConfig(**settings)


def test_too_big_is_refused_before_building():
    config = ModelConfig(units=2048, layers=3, embedding=1024)
    with pytest.raises(ConfigError, match="weights; the limit"):
        build_model(config, vocab_size=50_000)


def test_dict_round_trip_rejects_unknown_keys():
    config = ModelConfig(cell="gru", units=64)
    assert ModelConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown model setting"):
        ModelConfig.from_dict({**config.to_dict(), "lambda": "evil"})


def test_limits_can_be_overridden_from_the_environment(monkeypatch):
    from lstm_poem.limits import _env_int

    monkeypatch.setenv("LSTM_POEM_MAX_EPOCHS", "7")
    assert _env_int("MAX_EPOCHS", 1000) == 7
    monkeypatch.setenv("LSTM_POEM_MAX_EPOCHS", "lots")
    assert _env_int("MAX_EPOCHS", 1000) == 1000


def test_mixed_bfloat16_computes_in_bfloat16_with_float32_weights_and_logits():
    network = build_model(ModelConfig(units=16, embedding=8), vocab_size=10, precision="mixed_bfloat16")
    assert network.get_layer("lstm_1").compute_dtype == "bfloat16"
    assert {w.dtype for w in network.get_weights()} == {np.dtype("float32")}
    assert network(np.zeros((1, 5), np.int32)).dtype == "float32"
    with pytest.raises(ConfigError, match="precision"):
        build_model(ModelConfig(units=16, embedding=8), vocab_size=10, precision="float8")


def test_each_level_names_its_token():
    assert [token_name(level) for level in LEVELS] == ["character", "word"]

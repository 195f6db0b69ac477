"""The step-by-step trace matches the Keras network exactly, for every cell type."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_poem.network.model import ModelConfig, PoemModel, build_model, recurrent_layers
from lstm_poem.teaching.inside import QUANTITIES, interesting_units, text_features, trace
from lstm_poem.text.tokenizer import CharTokenizer

TEXT = "The mill by the river,\nthe lantern on the hill;\n"


def random_poem(cell: str, layers: int) -> PoemModel:
    """A network with every weight random (biases too), so each term of the equations is exercised."""
    import keras

    tokenizer = CharTokenizer.fit(TEXT)
    config = ModelConfig(cell=cell, layers=layers, units=12, embedding=6, dropout=0.3)
    network = build_model(config, tokenizer.vocab_size)
    rng = np.random.default_rng(7)
    network.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in network.get_weights()])
    assert isinstance(network, keras.Model)
    return PoemModel(network=network, tokenizer=tokenizer, config=config)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers", [1, 2])
def test_the_trace_matches_the_keras_layers(cell, layers):
    import keras

    poem = random_poem(cell, layers)
    result = trace(poem, TEXT)
    ids = np.array([poem.tokenizer.encode(TEXT).ids])
    for keras_layer, traced in zip(recurrent_layers(poem.network), result.layers, strict=True):
        outputs = keras.Model(poem.network.input, keras_layer.output)(ids, training=False)
        np.testing.assert_allclose(traced.values["hidden state"], np.asarray(outputs)[0], atol=1e-5)
        assert set(traced.values) == set(QUANTITIES[cell])
        assert all(v.shape == (len(TEXT), 12) for v in traced.values.values())
    np.testing.assert_allclose(result.logits, np.asarray(poem.network(ids, training=False))[0], atol=1e-4)


def test_gates_are_probabilities_and_the_lstm_cell_state_follows_its_equation():
    result = trace(random_poem("lstm", 1), TEXT)
    values = result.layers[0].values
    for gate in ("forget gate", "input gate", "output gate"):
        assert ((values[gate] > 0) & (values[gate] < 1)).all()
    c = values["cell state"]
    expected = values["forget gate"][1:] * c[:-1] + values["input gate"][1:] * values["candidate"][1:]
    np.testing.assert_allclose(c[1:], expected, atol=1e-12)
    np.testing.assert_allclose(values["hidden state"], values["output gate"] * np.tanh(c), atol=1e-12)


def test_unknown_characters_are_skipped_and_nothing_known_is_an_error():
    poem = random_poem("gru", 1)
    assert trace(poem, "the 🌊 mill").pieces == list("the  mill")
    with pytest.raises(ValueError, match="vocabulary"):
        trace(poem, "🌊🌊")


def test_a_unit_that_copies_a_feature_is_found_first():
    poem = random_poem("lstm", 1)
    result = trace(poem, TEXT)
    position = text_features(result.pieces)["position in the line"]
    result.layers[0].values["cell state"][:, 5] = position * 0.1 - 0.3  # plant a "line length" unit
    (first, *_) = interesting_units(result)
    assert (first.layer, first.unit, first.feature) == (0, 5, "position in the line")
    assert first.correlation == pytest.approx(1.0)


def test_heatmap_keeps_the_text_order_and_the_chosen_unit_order():
    from lstm_poem.teaching.inside_charts import activation_heatmap, unit_text_html

    values = np.arange(12, dtype=float).reshape(4, 3)
    spec = activation_heatmap(list("ab\nc"), values, [2, 0], "cell state", is_gate=False).to_dict()
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    assert x["sort"] == ["00000a", "00001b", "00002⏎", "00003c"] and y["sort"] == ["unit 2", "unit 0"]
    assert len(spec["data"]["values"]) == 8 and spec["description"] == "activation heatmap"
    shaded = unit_text_html(["a", "\n", "<"], np.array([1.0, 0.0, -2.0]))
    assert "&lt;" in shaded and "rgba(33, 102, 172, 0.42)" in shaded and "rgba(178, 24, 43, 0.85)" in shaded

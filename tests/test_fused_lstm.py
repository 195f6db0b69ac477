"""FusedLSTM computes what keras.layers.LSTM computes, on the same weight variables, forward and backward."""

import numpy as np
import pytest

# Absolute and relative: float32 sums of a hundred terms of size 100 differ in the sixth digit by summation order.
TOLERANCE = 1e-5


def _random_weights(layers, rng):
    for layer in layers:
        for variable in layer.weights:
            variable.assign(rng.normal(0, 0.5, variable.shape).astype(np.float32))


def _loss_and_gradients(model, inputs, training):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = model(inputs, training=training)
        # A non-linear read of every output, so each position's gradient differs.
        loss = tf.reduce_sum(tf.sin(3.0 * outputs + 1.0) * outputs)
    return outputs.numpy(), [g.numpy() for g in tape.gradient(loss, [inputs, *model.trainable_weights])]


def _twin_models(build):
    """The same network twice, with Keras's LSTM and with FusedLSTM, sharing the same weight values."""
    import keras

    from lstm_poem.network.fused_lstm import FusedLSTM

    keras_model, fused_model = build(keras.layers.LSTM), build(FusedLSTM)
    fused_model.set_weights(keras_model.get_weights())
    return keras_model, fused_model


def _assert_same(keras_model, fused_model, inputs, training=False):
    expected, expected_gradients = _loss_and_gradients(keras_model, inputs, training)
    got, got_gradients = _loss_and_gradients(fused_model, inputs, training)
    np.testing.assert_allclose(got, expected, atol=TOLERANCE, rtol=TOLERANCE)
    assert len(got_gradients) == len(expected_gradients)
    for got_gradient, expected_gradient in zip(got_gradients, expected_gradients, strict=True):
        np.testing.assert_allclose(got_gradient, expected_gradient, atol=TOLERANCE, rtol=TOLERANCE)


@pytest.mark.parametrize("return_sequences", [True, False])
def test_one_layer_matches_keras_outputs_and_gradients(return_sequences):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(1)

    def build(layer_type):
        inputs = keras.Input((None, 5))
        return keras.Model(inputs, layer_type(6, return_sequences=return_sequences)(inputs))

    keras_model, fused_model = _twin_models(build)
    _random_weights(keras_model.layers[1:], rng)
    fused_model.set_weights(keras_model.get_weights())
    _assert_same(keras_model, fused_model, tf.constant(rng.normal(size=(4, 9, 5)).astype(np.float32)))


def test_given_initial_state_and_returned_state_match_keras():
    import keras
    import tensorflow as tf

    from lstm_poem.network.fused_lstm import FusedLSTM

    rng = np.random.default_rng(2)
    sequences = tf.constant(rng.normal(size=(3, 6, 4)).astype(np.float32))
    start_h, start_c = (tf.constant(rng.normal(size=(3, 7)).astype(np.float32)) for _ in range(2))
    reference, fused = keras.layers.LSTM(7, return_state=True), FusedLSTM(7, return_state=True)
    reference.build(sequences.shape)
    fused.build(sequences.shape)
    _random_weights([reference], rng)
    fused.set_weights(reference.get_weights())
    expected = reference(sequences, initial_state=[start_h, start_c])
    got = fused(sequences, initial_state=[start_h, start_c])
    for got_part, expected_part in zip(got, expected, strict=True):  # last output, h, c
        np.testing.assert_allclose(got_part.numpy(), expected_part.numpy(), atol=TOLERANCE, rtol=TOLERANCE)


@pytest.mark.parametrize("training", [False, True])
def test_the_engines_stacked_network_with_dropout_matches_keras(training):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(3)

    def build(layer_type):
        # The engine's shape (embedding, two LSTMs each followed by dropout, dense logits) on float inputs,
        # so the gradient reaches the input too; the dropout layers' seeds give both twins the same masks.
        inputs = keras.Input((None, 8))
        x = inputs
        for index in range(2):
            x = layer_type(12, return_sequences=True)(x)
            x = keras.layers.Dropout(0.3, seed=index)(x)
        return keras.Model(inputs, keras.layers.Dense(10)(x))

    keras_model, fused_model = _twin_models(build)
    _random_weights([layer for layer in keras_model.layers if layer.weights], rng)
    fused_model.set_weights(keras_model.get_weights())
    _assert_same(keras_model, fused_model, tf.constant(rng.normal(size=(5, 11, 8)).astype(np.float32)), training)


def test_build_model_uses_it_and_generation_steps_its_cell_to_the_same_outputs():
    """The engine's LSTM is FusedLSTM; generation feeds one token at a time through the layer's Keras cell,
    which must reproduce the fused layer's outputs over a whole window."""
    import tensorflow as tf

    from lstm_poem.network.fused_lstm import FusedLSTM
    from lstm_poem.network.model import ModelConfig, build_model, recurrent_layers

    network = build_model(ModelConfig(units=16, embedding=8, layers=2, dropout=0.0), vocab_size=20)
    layers = recurrent_layers(network)
    assert all(type(layer) is FusedLSTM for layer in layers)
    _random_weights(layers, np.random.default_rng(4))
    ids = tf.constant([[3, 1, 4, 1, 5, 9, 2, 6]])
    x = network.get_layer("embedding")(ids)
    whole_window = x
    for layer in layers:
        whole_window = layer(whole_window)
    states = [[tf.zeros([1, 16]), tf.zeros([1, 16])] for _ in layers]
    stepped = []
    for t in range(ids.shape[1]):
        h = x[:, t]
        for index, layer in enumerate(layers):
            h, states[index] = layer.cell(h, states[index])
        stepped.append(h)
    np.testing.assert_allclose(tf.stack(stepped, axis=1).numpy(), whole_window.numpy(), atol=TOLERANCE, rtol=TOLERANCE)


def test_falls_back_to_keras_where_the_kernel_differs():
    import keras
    import tensorflow as tf

    from lstm_poem.network.fused_lstm import FusedLSTM

    rng = np.random.default_rng(5)
    sequences = tf.constant(rng.normal(size=(2, 5, 3)).astype(np.float32))
    mask = tf.constant([[True] * 5, [True, True, True, False, False]])
    for settings in ({"go_backwards": True}, {"dropout": 0.5}):
        reference, fused = keras.layers.LSTM(4, **settings), FusedLSTM(4, **settings)
        reference.build(sequences.shape)
        fused.build(sequences.shape)
        fused.set_weights(reference.get_weights())
        assert not fused._runs_fused(None)
        np.testing.assert_allclose(
            fused(sequences).numpy(), reference(sequences).numpy(), atol=TOLERANCE, rtol=TOLERANCE
        )
    reference, fused = keras.layers.LSTM(4), FusedLSTM(4)
    reference.build(sequences.shape)
    fused.build(sequences.shape)
    fused.set_weights(reference.get_weights())
    assert not fused._runs_fused(mask)
    got = fused(sequences, mask=mask).numpy()
    np.testing.assert_allclose(got, reference(sequences, mask=mask).numpy(), atol=TOLERANCE, rtol=TOLERANCE)

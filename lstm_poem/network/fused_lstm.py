"""An LSTM layer that runs a whole window in one TensorFlow kernel on a CPU.

Keras's LSTM on a CPU steps through the window in a ``while_loop``: a dozen small
ops per time step, forward and backward. :class:`FusedLSTM` is that same layer
(same cell, same three weight variables, so bundles and checkpoints do not change)
whose forward pass over the window is TensorFlow's ``BlockLSTM`` kernel, and whose
backward pass is written here (:func:`_block_lstm_gradient`). Keras's own loop still
runs wherever that would compute something else: a mask, reversed or unrolled input,
dropout inside the cell, a compute dtype other than float32, and on a GPU, where
Keras's cuDNN path is faster.
"""

from __future__ import annotations

import keras
import tensorflow as tf


def icfo_gates(weights: tf.Tensor) -> tf.Tensor:
    """Keras's gate blocks (input, forget, cell, output) on the last axis, reordered to
    BlockLSTM's (input, cell, forget, output)."""
    input_gate, forget_gate, cell_gate, output_gate = tf.split(weights, 4, axis=-1)
    return tf.concat([input_gate, cell_gate, forget_gate, output_gate], axis=-1)


def fused_lstm_sequence(
    sequences: tf.Tensor,
    initial_h: tf.Tensor,
    initial_c: tf.Tensor,
    kernel: tf.Tensor,
    recurrent_kernel: tf.Tensor,
    bias: tf.Tensor,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Keras's LSTM (tanh, sigmoid, bias, no peepholes) over ``sequences`` [batch, time, input]:
    the outputs [batch, time, units], the last output and the last cell state."""
    weights = icfo_gates(tf.concat([kernel, recurrent_kernel], axis=0))
    outputs, cell_states = _block_lstm(
        tf.transpose(sequences, [1, 0, 2]), initial_h, initial_c, weights, icfo_gates(bias)
    )
    return tf.transpose(outputs, [1, 0, 2]), outputs[-1], cell_states[-1]


@tf.custom_gradient
def _block_lstm(inputs, initial_h, initial_c, weights, bias):
    """BlockLSTM over time-major ``inputs`` [time, batch, input] with ICFO ``weights`` [input + units, 4 units]:
    every step's output and cell state. The gradient is computed here rather than by BlockLSTMGrad
    (see :func:`_block_lstm_gradient`)."""
    units = initial_h.shape[-1]
    no_peephole = tf.zeros([units], dtype=inputs.dtype)
    # forget_bias=0 and no cell clipping make BlockLSTM Keras's cell (Keras folds the forget bias into
    # the bias variable). BlockLSTMV2 takes Keras's gate order, but its registered gradient is version 1's.
    input_gate, cell_states, forget_gate, output_gate, candidate, cell_tanh, outputs = tf.raw_ops.BlockLSTM(
        seq_len_max=tf.cast(tf.shape(inputs)[0], tf.int64),
        x=inputs,
        cs_prev=initial_c,
        h_prev=initial_h,
        w=weights,
        wci=no_peephole,
        wcf=no_peephole,
        wco=no_peephole,
        b=bias,
        forget_bias=0.0,
        cell_clip=-1.0,
        use_peephole=False,
    )

    def gradient(output_grad, cell_state_grad):
        return _block_lstm_gradient(
            inputs,
            initial_h,
            initial_c,
            weights,
            (input_gate, cell_states, forget_gate, output_gate, candidate, cell_tanh, outputs),
            output_grad,
            cell_state_grad,
        )

    return (outputs, cell_states), gradient


def _block_lstm_gradient(inputs, initial_h, initial_c, weights, activations, output_grad, cell_state_grad):
    """Backpropagation through time for :func:`_block_lstm`.

    Only the recurrence (the gradient reaching the previous step's output and cell state) runs step by step,
    and it multiplies by the recurrent weights transposed once per batch: with oneDNN on an AVX2 CPU a small
    product against a transposed operand is several times slower (docs/benchmarks.md, training speed). The
    weight, bias and input gradients are then three products over the whole window instead of one small
    product per step.
    """
    input_gate, cell_states, forget_gate, output_gate, candidate, cell_tanh, outputs = activations
    steps, inputs_width = tf.shape(inputs)[0], inputs.shape[-1]
    if output_grad is None:
        output_grad = tf.zeros_like(outputs)
    if cell_state_grad is None:
        cell_state_grad = tf.zeros_like(cell_states)
    previous_c = tf.concat([initial_c[None], cell_states[:-1]], axis=0)
    previous_h = tf.concat([initial_h[None], outputs[:-1]], axis=0)
    # d(pre-activation gate) = d(cell state) * these for i, c, f and = d(output) * the last for o (ICFO).
    gate_factors = tf.concat(
        [
            candidate * input_gate * (1 - input_gate),
            input_gate * (1 - candidate * candidate),
            previous_c * forget_gate * (1 - forget_gate),
            cell_tanh * output_gate * (1 - output_gate),
        ],
        axis=-1,
    )
    output_to_cell = output_gate * (1 - cell_tanh * cell_tanh)
    recurrent_transposed = tf.transpose(weights[inputs_width:])

    def step(t, h_grad_next, c_grad_next, gate_grads):
        h_grad = output_grad[t] + h_grad_next
        c_grad = cell_state_grad[t] + c_grad_next + h_grad * output_to_cell[t]
        gate_grad = tf.concat([c_grad, c_grad, c_grad, h_grad], axis=-1) * gate_factors[t]
        return (
            t - 1,
            tf.matmul(gate_grad, recurrent_transposed),
            c_grad * forget_gate[t],
            gate_grads.write(t, gate_grad),
        )

    _, initial_h_grad, initial_c_grad, gate_grads = tf.while_loop(
        lambda t, *_: t >= 0,
        step,
        (steps - 1, tf.zeros_like(initial_h), tf.zeros_like(initial_c), tf.TensorArray(inputs.dtype, size=steps)),
    )
    gate_grads = gate_grads.stack()
    flat_gate_grads = tf.reshape(gate_grads, [-1, weights.shape[-1]])
    step_inputs = tf.reshape(tf.concat([inputs, previous_h], axis=-1), [-1, weights.shape[0]])
    weights_grad = tf.matmul(step_inputs, flat_gate_grads, transpose_a=True)
    inputs_grad = tf.reshape(tf.matmul(flat_gate_grads, tf.transpose(weights[:inputs_width])), tf.shape(inputs))
    return inputs_grad, initial_h_grad, initial_c_grad, weights_grad, tf.reduce_sum(flat_gate_grads, axis=0)


@keras.saving.register_keras_serializable(package="lstm_poem")
class FusedLSTM(keras.layers.LSTM):
    """``keras.layers.LSTM`` whose loop over time is one fused kernel on a CPU (see the module's docstring)."""

    def _runs_fused(self, mask) -> bool:
        cell = self.cell
        return (
            mask is None
            and not self.go_backwards
            and not cell.dropout
            and not cell.recurrent_dropout
            and cell.use_bias
            and cell.activation is keras.activations.tanh
            and cell.recurrent_activation is keras.activations.sigmoid
            and not self.unroll
            and self.compute_dtype == "float32"
            and not tf.config.list_logical_devices("GPU")
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not self._runs_fused(mask):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        initial_h, initial_c = initial_state
        cell = self.cell
        outputs, last_h, last_c = fused_lstm_sequence(
            sequences, initial_h, initial_c, cell.kernel.value, cell.recurrent_kernel.value, cell.bias.value
        )
        return last_h, outputs, [last_h, last_c]

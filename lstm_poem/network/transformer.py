"""A small GPT: a decoder-only Transformer over characters or words.

Token embeddings plus learned positions, then pre-LayerNorm blocks (causal
multi-head self-attention, then a GELU MLP, each added back to its input), a
final LayerNorm, and logits read off the same embedding table the tokens came
in through (tied input and output embeddings, as in GPT-2).

Every weight is created here with an explicit name, in the order that
:meth:`~lstm_poem.network.model.ModelConfig.weight_shapes` lists without TensorFlow (a
bundle's arrays are checked against it before anything is built). The
generator's key/value cache (:class:`CachedDecoder`) and the attention view
(:func:`attention_map`) reuse the blocks' own arithmetic instead of copying it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

from lstm_poem.network.shapes import transformer_block_shapes

LAYER_NORM_EPSILON = 1e-5
_INIT = keras.initializers.RandomNormal(stddev=0.02)
_MASKED = -1e9


def dense(x, kernel, bias, transpose_kernel: bool = False):
    """``x @ kernel + bias`` over the last axis of ``x``, as one 2-D product and a bias add: TensorFlow
    fuses those two into one op, and a 2-D product trained 1.4 times faster than a 3-D one followed by
    an add (docs/transformer.md)."""
    import tensorflow as tf

    flat = tf.reshape(x, [-1, x.shape[-1]])
    out = tf.nn.bias_add(tf.matmul(flat, kernel, transpose_b=transpose_kernel), bias)
    return tf.reshape(out, tf.concat([tf.shape(x)[:-1], tf.shape(out)[-1:]], axis=0))


def layer_norm(x, scale, offset):
    """Normalise the last axis to mean 0 and variance 1, then scale and shift it."""
    mean = ops.mean(x, axis=-1, keepdims=True)
    variance = ops.mean(ops.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) * ops.rsqrt(variance + LAYER_NORM_EPSILON) * scale + offset


class TiedEmbedding(keras.layers.Layer):
    """The token table, used twice: ids -> vectors at the bottom, vectors -> logits at the top."""

    def __init__(self, vocab_size: int, width: int, **kwargs):
        super().__init__(**kwargs)
        self.table = self.add_weight(shape=(vocab_size, width), initializer=_INIT, name="embeddings")
        self.output_bias = self.add_weight(shape=(vocab_size,), initializer="zeros", name="output_bias")

    def call(self, inputs, read_out: bool = False):
        if read_out:
            table, bias = ops.cast(self.table, inputs.dtype), ops.cast(self.output_bias, inputs.dtype)
            return dense(inputs, table, bias, transpose_kernel=True)
        return ops.take(self.table, ops.cast(inputs, "int32"), axis=0)


class Positions(keras.layers.Layer):
    """Adds a learned vector for each position 0 .. context-1 (the window starts at 0)."""

    def __init__(self, context: int, width: int, **kwargs):
        super().__init__(**kwargs)
        self.table = self.add_weight(shape=(context, width), initializer=_INIT, name="positions")

    def call(self, x, start=0):
        length = ops.shape(x)[-2]
        return x + ops.cast(self.table[start : start + length], x.dtype)


class Block(keras.layers.Layer):
    """One pre-LayerNorm Transformer block: x + attention(LN(x)), then x + MLP(LN(x)).

    ``depth`` is how many blocks the network stacks: as in GPT-2, the two projections that add into the
    residual stream start smaller (0.02 / sqrt(2 * depth)), so the stream's variance does not grow with
    the depth at the start of training.
    """

    def __init__(self, width: int, heads: int, dropout: float, depth: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.width, self.heads = width, heads
        self.head_width = width // heads
        shapes = transformer_block_shapes(width)
        names = ("ln1_scale", "ln1_offset", "qkv_kernel", "qkv_bias", "out_kernel", "out_bias")
        names += ("ln2_scale", "ln2_offset", "mlp_in_kernel", "mlp_in_bias", "mlp_out_kernel", "mlp_out_bias")
        residual_init = keras.initializers.RandomNormal(stddev=0.02 / math.sqrt(2 * depth))
        for name, shape in zip(names, shapes):
            if name.endswith("scale"):
                initializer = "ones"
            elif name in ("out_kernel", "mlp_out_kernel"):
                initializer = residual_init
            elif name.endswith("kernel"):
                initializer = _INIT
            else:
                initializer = "zeros"
            setattr(self, name, self.add_weight(shape=shape, initializer=initializer, name=name))
        self.dropout = keras.layers.Dropout(dropout, dtype=self.dtype_policy)

    def _w(self, variable, like):
        return ops.cast(variable, like.dtype)

    def _heads(self, x):
        """[batch, time, width] -> [batch, heads, time, head_width]."""
        # -1 for the batch: no shape ops when the time is known while tracing (one token per step).
        return ops.transpose(ops.reshape(x, (-1, ops.shape(x)[1], self.heads, self.head_width)), (0, 2, 1, 3))

    def queries_keys_values(self, x):
        """The queries, keys and values of every position of ``x``, each [batch, heads, time, head_width]."""
        h = layer_norm(x, self._w(self.ln1_scale, x), self._w(self.ln1_offset, x))
        qkv = dense(h, self._w(self.qkv_kernel, x), self._w(self.qkv_bias, x))
        q, k, v = ops.split(qkv, 3, axis=-1)
        return self._heads(q), self._heads(k), self._heads(v)

    def attention_weights(self, q, k, visible):
        """softmax(q k^T / sqrt(d)) over the keys ``visible`` marks ([query, key] booleans), in float32."""
        import tensorflow as tf

        # Keys transposed inside the product: a step's keys are the whole cache, not worth copying.
        scores = tf.matmul(ops.cast(q, "float32"), ops.cast(k, "float32"), transpose_b=True)
        scores = scores / math.sqrt(self.head_width)
        return ops.softmax(ops.where(visible, scores, _MASKED), axis=-1)

    def finish(self, x, weights, v, training=False):
        """Mix the values by the attention weights, add the result to ``x``, then the MLP's."""
        mixed = ops.matmul(ops.cast(weights, v.dtype), v)  # [batch, heads, time, head_width]
        mixed = ops.reshape(ops.transpose(mixed, (0, 2, 1, 3)), (-1, ops.shape(mixed)[2], self.width))
        attended = dense(mixed, self._w(self.out_kernel, x), self._w(self.out_bias, x))
        x = x + self.dropout(attended, training=training)
        h = layer_norm(x, self._w(self.ln2_scale, x), self._w(self.ln2_offset, x))
        h = ops.gelu(dense(h, self._w(self.mlp_in_kernel, x), self._w(self.mlp_in_bias, x)))
        h = dense(h, self._w(self.mlp_out_kernel, x), self._w(self.mlp_out_bias, x))
        return x + self.dropout(h, training=training)

    def call(self, x, training=False):
        q, k, v = self.queries_keys_values(x)
        return self.finish(x, self.attention_weights(q, k, causal_mask(ops.shape(x)[1])), v, training)


def causal_mask(length):
    """[length, length] booleans: position i sees positions 0 .. i."""
    positions = ops.arange(length)
    return positions[None, :] <= positions[:, None]


class FinalNorm(keras.layers.Layer):
    """The LayerNorm after the last block."""

    def __init__(self, width: int, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(shape=(width,), initializer="ones", name="scale")
        self.offset = self.add_weight(shape=(width,), initializer="zeros", name="offset")

    def call(self, x):
        return layer_norm(x, ops.cast(self.scale, x.dtype), ops.cast(self.offset, x.dtype))


def build_transformer(
    vocab_size: int, width: int, layers: int, heads: int, context: int, dropout: float, precision: str
) -> keras.Model:
    """A Keras model mapping token ids [batch, time <= context] to next-token logits [batch, time, vocab]."""
    inputs = keras.Input(shape=(None,), dtype="int32", name="tokens")
    embedding = TiedEmbedding(vocab_size, width, name="embedding", dtype=precision)
    x = Positions(context, width, name="positions", dtype=precision)(embedding(inputs))
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="embedding_dropout", dtype=precision)(x)
    for i in range(layers):
        x = Block(width, heads, dropout, depth=layers, name=f"block_{i + 1}", dtype=precision)(x)
    x = FinalNorm(width, name="final_norm", dtype=precision)(x)
    logits = embedding(x, read_out=True)
    logits = keras.layers.Activation("linear", name="logits", dtype="float32")(logits)
    return keras.Model(inputs, logits, name="poem_transformer")


def blocks(network) -> list[Block]:
    """The network's Transformer blocks, first to last."""
    return [layer for layer in network.layers if isinstance(layer, Block)]


class CachedDecoder:
    """Reads tokens into a Transformer one at a time, keeping every layer's keys and values.

    Each new token computes only its own query, key and value and attends to the cached ones, so a
    step costs one token's pass, not the whole window's. The state (one row per column) is the last
    ``window`` tokens and how many of them are in use, then each block's keys and values
    [rows, heads, window, head_width]. When the window is full, the cache is rebuilt from its last
    half in one pass (the positions start again at 0), so the model always sees between half a window
    and a whole one of what came before, and a rebuild happens once every half window.
    """

    def __init__(self, network, window: int):
        self.embedding = network.get_layer("embedding")
        self.positions = network.get_layer("positions")
        self.final_norm = network.get_layer("final_norm")
        self.blocks = blocks(network)
        self.window = window
        self.heads = self.blocks[0].heads
        self.head_width = self.blocks[0].head_width

    def state_specs(self) -> list:
        import tensorflow as tf

        cache = tf.TensorSpec([None, self.heads, self.window, self.head_width])
        return [[tf.TensorSpec([None, self.window], tf.int32), tf.TensorSpec([None], tf.int32)]] + [
            [cache, cache] for _ in self.blocks
        ]

    def _logits(self, x):
        return self.embedding(self.final_norm(x), read_out=True)

    def fill(self, ids):
        """Read ``ids`` [rows, length <= window] in one causal pass; return the last logits and the state."""
        import tensorflow as tf

        length = tf.shape(ids)[1]
        x = self.positions(self.embedding(ids))
        padding = [[0, 0], [0, 0], [0, self.window - length], [0, 0]]
        caches = []
        for block in self.blocks:
            q, k, v = block.queries_keys_values(x)
            x = block.finish(x, block.attention_weights(q, k, causal_mask(length)), v)
            caches.append([tf.pad(k, padding), tf.pad(v, padding)])
        rows = tf.shape(ids)[0]
        tokens = tf.pad(ids, [[0, 0], [0, self.window - length]])
        return self._logits(x[:, -1, :]), [[tokens, tf.fill([rows], length)], *caches]

    def prime(self, prime_ids):
        """The logits and state after the prime's last ``window`` tokens (batch of one)."""
        return self.fill(prime_ids[-self.window :][None, :])

    def step(self, token_ids, state):
        """Feed one token per row after the cached ones; return next-token logits and the new state.

        The state passed in is used up: the new token's keys and values are written into its cache
        tensors in place (``InplaceUpdate``), because copying every layer's whole cache on each step
        was a third of the time of writing a poem. Callers hold only the state a step returns.
        """
        import tensorflow as tf

        def recent_half():
            tokens, count = state[0]
            keep = self.window // 2
            return self.fill(tokens[:, count[0] - keep : count[0]])[1]

        state = tf.cond(state[0][1][0] >= self.window, recent_half, lambda: state)
        (tokens, count), caches = state[0], state[1:]
        position = count[0]
        # The cache seen as rows of one head's vector: [rows * heads * window, head_width].
        cache_rows = tf.range(tf.shape(token_ids)[0] * self.heads) * self.window + position
        x = self.positions(self.embedding(token_ids[:, None]), start=position)
        visible = (tf.range(self.window) <= position)[None, :]
        new_caches = []
        for block, (keys, values) in zip(self.blocks, caches):
            q, k, v = block.queries_keys_values(x)
            keys, values = (self._written(cache, new, cache_rows) for cache, new in ((keys, k), (values, v)))
            x = block.finish(x, block.attention_weights(q, keys, visible), values)
            new_caches.append([keys, values])
        tokens = tf.where((tf.range(self.window) == position)[None, :], token_ids[:, None], tokens)
        return self._logits(x[:, 0, :]), [[tokens, count + 1], *new_caches]

    def _written(self, cache, new, cache_rows):
        """``cache`` [rows, heads, window, head_width] with ``new`` [rows, heads, 1, head_width] written in."""
        import tensorflow as tf

        flat = (-1, self.head_width)
        written = tf.raw_ops.InplaceUpdate(x=tf.reshape(cache, flat), i=cache_rows, v=tf.reshape(new, flat))
        return tf.reshape(written, tf.shape(cache))


@dataclass(frozen=True)
class AttentionMap:
    """Where each position of a text looked: for layer l, ``weights[l][h, i, j]`` is how much head h,
    reading token i, attends to token j (j <= i; each row sums to 1)."""

    pieces: list[str]
    weights: list[np.ndarray]  # per layer, [heads, tokens, tokens]
    logits: np.ndarray  # [tokens, vocab]: the odds of the token after each piece, as an LSTM's trace has them


def attention_map(poem, text: str) -> AttentionMap:
    """Run ``text`` (its last ``poem.attention_window`` known tokens, as many as the model reads when
    writing) through a Transformer and keep every head's attention weights.

    Raises ValueError when nothing of the text is known to the model."""
    ids = poem.tokenizer.encode(text).ids[-poem.attention_window :]
    if not ids:
        raise ValueError("None of this text is in the model's vocabulary.")
    network = poem.network
    x = network.get_layer("positions")(network.get_layer("embedding")(np.asarray([ids], np.int32)))
    weights = []
    for block in blocks(network):
        q, k, v = block.queries_keys_values(x)
        attention = block.attention_weights(q, k, causal_mask(len(ids)))
        weights.append(np.asarray(keras.ops.convert_to_numpy(attention))[0])
        x = block.finish(x, attention, v)
    logits = network.get_layer("embedding")(network.get_layer("final_norm")(x), read_out=True)
    return AttentionMap(
        pieces=poem.tokenizer.pieces(ids), weights=weights, logits=np.asarray(keras.ops.convert_to_numpy(logits))[0]
    )

"""Write a recurrent model's poems with NumPy alone: no TensorFlow to import, no graph to compile.

A cold server (or a fresh command line) would otherwise wait for TensorFlow before
its first poem: several seconds of importing, more than the poem itself takes. An
LSTM, GRU or plain RNN of this project's sizes is a few small matrix products per
token, which NumPy does about as quickly as a compiled graph, so :class:`RecurrentWriter`
writes the poems of :class:`~lstm_poem.network.generate.Generator` for these models
straight from a bundle's weight arrays.

It makes the same choices as the Generator: the same uniform draw per step (TensorFlow's
stateless Philox stream, rebuilt below bit for bit), the same stretches of [0, 1) laid
out likeliest first (:mod:`lstm_poem.network.sampling`), the same top-k and top-p
filters. Only the network's float32 arithmetic differs, in its last bits, so the two
write the same poem unless a draw falls within about a millionth of a stretch's end
(tests/test_numpy_writer.py compares them). Transformers, and stepping one token at a
time (Watch, Guess), keep the Generator.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from lstm_poem.network.generate import Generation, NextTokenOdds, encode_prime, generation_from, odds_from_logits
from lstm_poem.network.model import ModelConfig, PoemModel
from lstm_poem.network.sampling import MASKED_LOGIT, check_sampling
from lstm_poem.text.tokenizer import Tokenizer

# Philox4x32-10 (Salmon et al., 2011), as TensorFlow's stateless random ops run it on a CPU.
_MULTIPLIERS = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
_KEY_STEPS = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))
_SEED_KEY = (np.uint64(0x3EC8F720), np.uint64(0x02461E29))  # the fixed key that scrambles a stateless seed
_LOW32 = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
_FEW_ROWS = 4  # up to this many poems at once, the recurrent product is faster row by row (bench/generate_speed.py)


def _philox(counter: list[np.ndarray], key: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """Ten Philox rounds; every part is a uint64 array of 32-bit words, one counter (and key) per element."""
    k0, k1 = key
    c0, c1, c2, c3 = counter
    for _ in range(10):
        p0, p1 = _MULTIPLIERS[0] * c0, _MULTIPLIERS[1] * c2
        c0, c1, c2, c3 = (p1 >> _32) ^ c1 ^ k0, p1 & _LOW32, (p0 >> _32) ^ c3 ^ k1, p0 & _LOW32
        k0, k1 = (k0 + _KEY_STEPS[0]) & _LOW32, (k1 + _KEY_STEPS[1]) & _LOW32
    return [c0, c1, c2, c3]


def stateless_uniforms(seed: int, steps: int, rows: int) -> np.ndarray:
    """[steps, rows] float32 in [0, 1): row ``step`` equals ``tf.random.stateless_uniform([rows], seed=[seed,
    step])``, as :func:`~lstm_poem.network.sampling.draw_uniforms` draws it, for every step at once."""
    step = np.arange(steps, dtype=np.uint64)
    seed_word = np.uint64(seed % 2**64)
    zeros = np.zeros(steps, dtype=np.uint64)
    # The seed pair (seed, step) becomes a key and a counter through one Philox call with a fixed key.
    mix = _philox([zeros + (seed_word & _LOW32), zeros + (seed_word >> _32), step, zeros], _SEED_KEY)
    draws: list[np.ndarray] = []
    for block in range((rows + 3) // 4):  # four numbers a call; then the counter counts on (no carry: rows <= 2**32)
        draws += _philox([zeros + np.uint64(block), zeros, mix[2], mix[3]], (mix[0], mix[1]))
    bits = np.stack(draws[:rows], axis=1).astype(np.uint32)
    # 23 random bits as the mantissa of a float in [1, 2), less one: TensorFlow's own conversion.
    return ((bits & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * x)  # as 1 / (1 + exp(-x)), without overflowing for a large negative x


def _recurrent_product(h: np.ndarray, recurrent: np.ndarray) -> np.ndarray:
    """h @ recurrent. For a few rows, one matrix-vector product each: a small matrix product makes OpenBLAS
    copy the whole recurrent kernel (4 MB for 512 units) into its packed layout on every step."""
    if len(h) <= _FEW_ROWS:
        return np.stack([row @ recurrent for row in h])
    return h @ recurrent


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# One step of each cell, in Keras's gate order. ``projected`` is the input already multiplied by the kernel
# (plus the input bias); ``state`` is (h, c) for an LSTM and (h,) otherwise. Returns the output and new state.
def _lstm_step(projected, state, recurrent, recurrent_bias):
    h, c = state
    i, f, g, o = np.split(projected + _recurrent_product(h, recurrent), 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    return h, (h, c)


def _gru_step(projected, state, recurrent, recurrent_bias):
    (h,) = state  # Keras's GRU with reset_after=True: the reset gate scales the recurrent part after its bias
    x_z, x_r, x_h = np.split(projected, 3, axis=-1)
    h_z, h_r, h_h = np.split(_recurrent_product(h, recurrent) + recurrent_bias, 3, axis=-1)
    z = _sigmoid(x_z + h_z)
    candidate = np.tanh(x_h + _sigmoid(x_r + h_r) * h_h)
    h = z * h + (1.0 - z) * candidate
    return h, (h,)


def _rnn_step(projected, state, recurrent, recurrent_bias):
    h = np.tanh(projected + _recurrent_product(state[0], recurrent))
    return h, (h,)


_STEPS: dict[str, Callable] = {"lstm": _lstm_step, "gru": _gru_step, "rnn": _rnn_step}


class RecurrentWriter:
    """Writes poems from a recurrent model's weights (a bundle's arrays, in Keras's order) with NumPy.

    Its ``generate`` and ``next_token_odds`` take and return what the Generator's do. It keeps nothing
    between calls, so one writer serves many sessions at once.
    """

    def __init__(self, config: ModelConfig, tokenizer: Tokenizer, weights: Sequence[np.ndarray]):
        if config.is_transformer:
            raise ValueError("RecurrentWriter writes with LSTM, GRU and RNN models; a Transformer needs the Generator")
        shapes = config.weight_shapes(tokenizer.vocab_size)
        if [tuple(np.shape(w)) for w in weights] != shapes:
            raise ValueError("the weights do not fit the model's description")
        arrays = [np.asarray(w, dtype=np.float32) for w in weights]
        self.config, self.tokenizer = config, tokenizer
        self._step = _STEPS[config.cell]
        self._embedding = arrays[0]
        self._layers = []  # (kernel, input bias, recurrent kernel, recurrent bias) per layer
        for kernel, recurrent, bias in zip(arrays[1:-2:3], arrays[2:-2:3], arrays[3:-2:3]):
            input_bias, recurrent_bias = (bias[0], bias[1]) if config.cell == "gru" else (bias, np.float32(0))
            self._layers.append((kernel, input_bias, recurrent, recurrent_bias))
        self._logits_kernel, self._logits_bias = arrays[-2:]
        self._mask = np.zeros(tokenizer.vocab_size, dtype=np.float32)
        if tokenizer.unknown_id is not None:
            self._mask[tokenizer.unknown_id] = MASKED_LOGIT

    @classmethod
    def from_poem(cls, poem: PoemModel) -> RecurrentWriter:
        """A writer for a model already built in Keras (one trained in this session, say)."""
        return cls(poem.config, poem.tokenizer, poem.network.get_weights())

    def _zero_states(self, rows: int) -> list[tuple[np.ndarray, ...]]:
        parts = 2 if self.config.cell == "lstm" else 1
        return [tuple(np.zeros((rows, self.config.units), np.float32) for _ in range(parts)) for _ in self._layers]

    def _logits(self, h: np.ndarray) -> np.ndarray:
        return h @ self._logits_kernel + self._logits_bias + self._mask

    def _prime(self, prime_ids: Sequence[int]) -> tuple[np.ndarray, list]:
        """The next-token logits [1, vocab] after the prime, read from zero states, and each layer's state.
        Each layer reads the whole prime before the next: its input products are one matrix product."""
        x = self._embedding[np.asarray(prime_ids)]
        states = []
        for (kernel, input_bias, recurrent, recurrent_bias), state in zip(self._layers, self._zero_states(1)):
            projected = x @ kernel + input_bias
            outputs = []
            for row in projected:
                h, state = self._step(row[None], state, recurrent, recurrent_bias)
                outputs.append(h[0])
            x = np.stack(outputs)
            states.append(state)
        return self._logits(x[-1:]), states

    def _advance(self, token_ids: np.ndarray, states: list) -> tuple[np.ndarray, list]:
        x = self._embedding[token_ids]
        new_states = []
        for (kernel, input_bias, recurrent, recurrent_bias), state in zip(self._layers, states):
            x, state = self._step(x @ kernel + input_bias, state, recurrent, recurrent_bias)
            new_states.append(state)
        return self._logits(x), new_states

    def generate(
        self,
        prime: str,
        temperatures: Sequence[float] = (0.5, 1.0, 1.5),
        length: int = 400,
        seed: int = 42,
        top_k: int = 0,
        top_p: float = 1.0,
        shared_noise: bool = True,
    ) -> Generation:
        """One poem per temperature, each ``length`` tokens long, continuing ``prime`` (as the Generator's)."""
        check_sampling(temperatures, length, top_k, top_p)
        started = time.perf_counter()
        prime_ids, unknown = encode_prime(self.tokenizer, prime)
        rows = len(temperatures)
        logits, states = self._prime(prime_ids)
        logits = np.repeat(logits, rows, axis=0)
        states = [tuple(np.repeat(part, rows, axis=0) for part in state) for state in states]
        temps = np.asarray(temperatures, np.float32)
        uniforms = stateless_uniforms(seed % 2**31, length, 1 if shared_noise else rows)
        tokens = np.empty((rows, length), np.int32)
        logps = np.empty((rows, length), np.float32)
        every_row = np.arange(rows)
        for step in range(length):
            chosen = choose(logits, temps, uniforms[step], top_k, top_p)
            tokens[:, step] = chosen
            logps[:, step] = _log_softmax(logits)[every_row, chosen]
            logits, states = self._advance(chosen, states)
        return generation_from(self.tokenizer, prime_ids, unknown, temperatures, tokens, logps, started)

    def next_token_odds(self, prime: str, temperatures: Sequence[float], top_n: int = 10) -> NextTokenOdds:
        """The distribution of the token after ``prime`` at each temperature (for a bar chart)."""
        prime_ids, _ = encode_prime(self.tokenizer, prime)
        logits, _ = self._prime(prime_ids)
        return odds_from_logits(logits[0], self.tokenizer, temperatures, top_n)


def choose(logits: np.ndarray, temperatures: np.ndarray, uniform: np.ndarray, top_k: int, top_p: float) -> np.ndarray:
    """:func:`lstm_poem.network.sampling.choose` in NumPy: each row's token whose stretch of [0, 1) holds its
    draw, tokens laid end to end likeliest first at that row's temperature; T <= 0 takes the argmax."""
    greedy = temperatures <= 0.0
    inverse = np.where(greedy, np.float32(1.0), np.float32(1.0) / np.maximum(temperatures, np.float32(1e-6)))
    scaled = logits * inverse[:, None]
    vocab = logits.shape[1]
    if 0 < top_k < vocab:
        kth = -np.partition(-scaled, top_k - 1, axis=1)[:, top_k - 1 : top_k]
        scaled = np.where(scaled < kth, np.float32(MASKED_LOGIT), scaled)
    if top_p < 1.0:
        ordered = -np.sort(-scaled, axis=1)
        probs = _softmax(ordered)
        mass_before = np.concatenate([np.zeros_like(probs[:, :1]), np.cumsum(probs, axis=1)[:, :-1]], axis=1)
        kept = np.where(mass_before < np.float32(top_p), ordered, np.float32(-MASKED_LOGIT))
        cutoff = kept.min(axis=1, keepdims=True)
        scaled = np.where(scaled < cutoff, np.float32(MASKED_LOGIT), scaled)
    order = np.argsort(-scaled, axis=1, kind="stable")
    ends = np.cumsum(np.take_along_axis(_softmax(scaled), order, axis=1), axis=1)
    # Scaled by the total, so rounding can never push the draw past the last token that has any probability.
    target = uniform[:, None] * ends[:, -1:]
    position = np.minimum((ends <= target).sum(axis=1), vocab - 1)
    sampled = np.take_along_axis(order, position[:, None], axis=1)[:, 0]
    return np.where(greedy, np.argmax(logits, axis=1), sampled).astype(np.int32)

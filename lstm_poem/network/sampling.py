"""Picking a token from the network's logits at a temperature, as numbers a class can follow.

Temperature T divides the logits: T = 0 picks the most likely token, small T
sharpens the distribution, large T flattens it. Each step draws one uniform
number u in [0, 1) and lays the tokens end to end on [0, 1), likeliest first,
each as long as its probability at T; the token whose stretch holds u is picked
(an exact sample from ``softmax(logits / T)``, and one number a class can watch).
With shared noise every column uses the *same* u, so the columns differ only by
T: a small u takes the favourite everywhere, a large one takes the favourite at
a low T but a rare token at a high T, and moving a slider changes the poem
gradually instead of reshuffling it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lstm_poem import limits
from lstm_poem.checks import ConfigError, check_int, check_range

MASKED_LOGIT = -1e9  # a logit that no amount of noise can win


def scale_by_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) as float64; T <= 0 puts all mass on the argmax."""
    logits = np.asarray(logits, dtype=np.float64)
    if temperature <= 0:
        probs = np.zeros_like(logits)
        probs[np.argmax(logits)] = 1.0
        return probs
    z = logits / temperature
    z = np.exp(z - z.max())
    return z / z.sum()


def entropy_bits(probs: np.ndarray) -> float:
    """Shannon entropy in bits."""
    p = probs[probs > 0]
    return float(-(p * np.log2(p)).sum())


def draw_uniforms(seed, step, rows):
    """The uniform numbers in [0, 1) of one step: the same for the same seed and step, in a graph or not."""
    import tensorflow as tf

    return tf.random.stateless_uniform(tf.reshape(rows, [1]), seed=tf.stack([seed, step]))


def choose(logits, temperatures, uniform, top_k, top_p):
    """Each row's token whose stretch of [0, 1) holds its uniform draw (tokens laid end to end,
    likeliest first, as long as their probability at that row's temperature); T <= 0 takes the argmax."""
    import tensorflow as tf

    greedy = temperatures <= 0.0
    inv_t = tf.where(greedy, 1.0, 1.0 / tf.maximum(temperatures, 1e-6))[:, None]
    vocab = tf.shape(logits)[1]
    scaled = logits * inv_t
    if top_k is not None:
        scaled = _filter_top_k(scaled, top_k, vocab)
    if top_p is not None:
        scaled = _filter_top_p(scaled, top_p)
    order = tf.argsort(scaled, axis=-1, direction="DESCENDING", stable=True)
    ends = tf.cumsum(tf.gather(tf.nn.softmax(scaled), order, batch_dims=1), axis=-1)
    # Scaled by the total, so rounding can never push the draw past the last token that has any probability.
    target = uniform[:, None] * ends[:, -1:]
    position = tf.minimum(tf.reduce_sum(tf.cast(ends <= target, tf.int32), axis=-1), vocab - 1)
    sampled = tf.gather(order, position, batch_dims=1)
    return tf.where(greedy, tf.argmax(logits, axis=-1, output_type=tf.int32), sampled)


def _filter_top_k(scaled, top_k, vocab):
    """Keep the k largest logits per row (k <= 0 or k >= vocab keeps all)."""
    import tensorflow as tf

    def keep_top_k():
        kth = tf.math.top_k(scaled, k=top_k).values[:, -1:]
        return tf.where(scaled < kth, MASKED_LOGIT, scaled)

    return tf.cond((top_k > 0) & (top_k < vocab), keep_top_k, lambda: scaled)


def _filter_top_p(scaled, top_p):
    """Keep the smallest set of most likely tokens whose probability reaches p."""
    import tensorflow as tf

    def keep_nucleus():
        ordered = tf.sort(scaled, axis=-1, direction="DESCENDING")
        mass_before = tf.cumsum(tf.nn.softmax(ordered), axis=-1, exclusive=True)
        cutoff = tf.reduce_min(tf.where(mass_before < top_p, ordered, -MASKED_LOGIT), axis=-1, keepdims=True)
        return tf.where(scaled < cutoff, MASKED_LOGIT, scaled)

    return tf.cond(top_p < 1.0, keep_nucleus, lambda: scaled)


def check_sampling(temperatures: Sequence[float], length: int, top_k: int, top_p: float) -> None:
    if not 1 <= len(temperatures) <= limits.MAX_TEMPERATURES:
        raise ConfigError(f"Give between 1 and {limits.MAX_TEMPERATURES} temperatures.")
    for t in temperatures:
        check_range("temperature", t, 0.0, 10.0)
    check_int("length", length, 1, limits.MAX_GENERATE_TOKENS)
    check_int("top-k", top_k, 0, 1_000_000)
    check_range("top-p", top_p, 0.01, 1.0)

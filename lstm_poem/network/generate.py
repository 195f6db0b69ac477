"""Write poems: stateful, batched sampling at many temperatures at once.

The seed text primes the recurrent state once; then one token per step is
sampled for every temperature as one batch, carrying each layer's state, inside
a single ``tf.function`` that is traced once for any length and any number of
temperatures. (Re-running the whole model over a sliding window for every
character, as the classic notebook does, is far slower: docs/benchmarks.md.)

How each step picks a token at each temperature is in :mod:`lstm_poem.network.sampling`.

:meth:`Generator.advance` is that one step; ``generate`` loops over it in one
compiled graph, and :class:`~lstm_poem.teaching.stepper.Stepper` calls it once per click.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstm_poem import limits
from lstm_poem.network.model import PoemModel, recurrent_layers
from lstm_poem.network.sampling import (
    MASKED_LOGIT,
    check_sampling,
    choose,
    draw_uniforms,
    entropy_bits,
    scale_by_temperature,
)
from lstm_poem.text.tokenizer import Tokenizer


class PrimeError(ValueError):
    """The seed text cannot start a poem (for example, none of it is in the vocabulary)."""


@dataclass(frozen=True)
class Sample:
    """One poem written at one temperature."""

    temperature: float
    text: str
    pieces: list[str]  # printed text of each generated token (``"".join(pieces) == text``)
    probs: list[float]  # the model's probability (at T = 1) of each generated token

    @property
    def mean_logprob(self) -> float:
        """Average natural-log probability per token under the model (higher = more typical)."""
        if not self.probs:
            return 0.0
        return float(np.mean(np.log(np.maximum(self.probs, 1e-30))))

    @property
    def perplexity(self) -> float:
        """exp(-mean log-probability): how many tokens the model was 'choosing between'."""
        return math.exp(-self.mean_logprob)


@dataclass(frozen=True)
class Generation:
    """The result of one call: the prime actually used, one sample per temperature."""

    prime: str
    samples: list[Sample]
    unknown: list[str]  # pieces of the seed that the model does not know (skipped)
    seconds: float


@dataclass(frozen=True)
class NextTokenOdds:
    """The model's next-token distribution after a prime, reshaped by each temperature."""

    labels: list[str]  # the top tokens (by the model's own probability), spelled visibly
    temperatures: list[float]
    probs: np.ndarray  # [len(temperatures), len(labels)]
    other: np.ndarray  # probability left for all remaining tokens, per temperature
    entropy_bits: np.ndarray  # entropy of the full distribution, per temperature


class RecurrentReader:
    """Reads tokens into a recurrent network one at a time, carrying each layer's state (h, or h and c)."""

    def __init__(self, network):
        self._embedding = network.get_layer("embedding")
        self._cells = [layer.cell for layer in recurrent_layers(network)]
        self._dense = network.get_layer("logits")

    def state_specs(self) -> list:
        import tensorflow as tf

        return [[tf.TensorSpec([None, size]) for size in _state_sizes(cell)] for cell in self._cells]

    def step(self, token_ids, states):
        """Feed one token per row; return next-token logits and the new states."""
        x = self._embedding(token_ids)
        new_states = []
        for cell, state in zip(self._cells, states):
            x, state = cell(x, state, training=False)
            new_states.append(list(state) if isinstance(state, (list, tuple)) else [state])
        return self._dense(x), new_states

    def prime(self, prime_ids):
        """Feed the prime (batch of one) from zero states; return the last logits and the states."""
        import tensorflow as tf

        states = [[tf.zeros([1, size]) for size in _state_sizes(cell)] for cell in self._cells]
        logits = tf.zeros([1, self._dense.units])
        _, logits, states = tf.while_loop(
            lambda i, *_: i < tf.shape(prime_ids)[0],
            lambda i, _, states: (i + 1, *self.step(prime_ids[i][None], states)),
            (tf.constant(0), logits, states),
        )
        return logits, states


class Generator:
    """Samples from a :class:`PoemModel`. Build one per model and reuse it: the
    compiled sampling graph is kept, so every call after the first is fast."""

    def __init__(self, poem: PoemModel):
        import tensorflow as tf

        self.poem = poem
        if poem.config.is_transformer:
            from lstm_poem.network.transformer import CachedDecoder

            self._reader = CachedDecoder(poem.network, poem.attention_window)
        else:
            self._reader = RecurrentReader(poem.network)
        mask = np.zeros(poem.tokenizer.vocab_size, dtype=np.float32)
        if poem.tokenizer.unknown_id is not None:
            mask[poem.tokenizer.unknown_id] = MASKED_LOGIT
        self._mask = tf.constant(mask)
        int_scalar = tf.TensorSpec([], tf.int32)
        vocab = poem.tokenizer.vocab_size
        state_specs = self._reader.state_specs()
        # Written with explicit tf.while_loop, so AutoGraph need not rewrite every function it calls:
        # converting their source cost most of the first poem's time (docs/benchmarks.md).
        self._advance_graph = tf.function(
            self._advance,
            autograph=False,
            input_signature=[
                tf.TensorSpec([None, vocab], tf.float32),  # logits of the next token, one row per column
                state_specs,
                tf.TensorSpec([None], tf.float32),  # temperatures
                tf.TensorSpec([None], tf.float32),  # uniform draws (one, or one per column)
                tf.TensorSpec([None], tf.int32),  # token chosen by hand per column (-1 = sample)
            ],
        )
        self._sample_graph = tf.function(
            self._sample,
            autograph=False,
            input_signature=[
                tf.TensorSpec([None], tf.int32),  # prime ids
                tf.TensorSpec([None], tf.float32),  # temperatures
                int_scalar,  # length
                int_scalar,  # random seed
                int_scalar,  # top-k (0 = off)
                tf.TensorSpec([], tf.float32),  # top-p (1 = off)
                tf.TensorSpec([], tf.bool),  # shared noise
            ],
        )
        self._prime_graph = tf.function(self._prime, autograph=False, input_signature=[tf.TensorSpec([None], tf.int32)])

    # ----- graph pieces (run inside tf.function) -----

    def _step(self, token_ids, states):
        """Feed one token per row; return next-token logits (the unknown token masked) and the new states."""
        logits, states = self._reader.step(token_ids, states)
        return logits + self._mask, states

    def _prime(self, prime_ids):
        """Run the prime through the network once (batch of one); return logits and states."""
        logits, states = self._reader.prime(prime_ids)
        return logits + self._mask, states

    def _advance(self, logits, states, temperatures, uniform, forced, top_k=None, top_p=None):
        """One step for every column: pick a token (or take the one ``forced`` >= 0), feed it in.
        ``top_k`` and ``top_p`` (tensors) filter the candidates; None leaves them all (as stepping does).

        Returns the picks, their log-probability under the model (T = 1), the next logits and states.
        """
        import tensorflow as tf

        chosen = choose(logits, temperatures, uniform, top_k, top_p)
        chosen = tf.where(forced >= 0, forced, chosen)
        logp = tf.gather(tf.nn.log_softmax(logits), chosen, batch_dims=1)
        logits, states = self._step(chosen, states)
        return chosen, logp, logits, states

    def _sample(self, prime_ids, temperatures, length, seed, top_k, top_p, shared_noise):
        import tensorflow as tf

        batch = tf.shape(temperatures)[0]
        logits, states = _copied_rows(*self._prime(prime_ids), batch)
        draw_rows = tf.where(shared_noise, 1, batch)
        sample_all = -tf.ones([batch], tf.int32)

        def one_step(step, logits, states, tokens, logps):
            uniform = draw_uniforms(seed, step, draw_rows)
            chosen, logp, logits, states = self._advance(
                logits, states, temperatures, uniform, sample_all, top_k, top_p
            )
            return step + 1, logits, states, tokens.write(step, chosen), logps.write(step, logp)

        empty = (tf.TensorArray(tf.int32, size=length), tf.TensorArray(tf.float32, size=length))
        *_, tokens, logps = tf.while_loop(
            lambda step, *_: step < length, one_step, (tf.constant(0), logits, states, *empty)
        )
        return tf.transpose(tokens.stack()), tf.transpose(logps.stack())

    # ----- public API -----

    def encode_prime(self, prime: str) -> tuple[list[int], list[str]]:
        """See :func:`encode_prime`."""
        return encode_prime(self.poem.tokenizer, prime)

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
        """One poem per temperature, each ``length`` tokens long, continuing ``prime``."""
        check_sampling(temperatures, length, top_k, top_p)
        start = time.perf_counter()
        prime_ids, unknown = self.encode_prime(prime)
        tokens, logps = self._sample_graph(
            np.asarray(prime_ids, np.int32),
            np.asarray(temperatures, np.float32),
            np.int32(length),
            np.int32(seed % 2**31),
            np.int32(top_k),
            np.float32(top_p),
            np.bool_(shared_noise),
        )
        return generation_from(
            self.poem.tokenizer, prime_ids, unknown, temperatures, tokens.numpy(), logps.numpy(), start
        )

    def start(self, prime_ids: Sequence[int], batch: int):
        """The logits and recurrent states after ``prime_ids``, copied to ``batch`` rows (for stepping)."""
        return _copied_rows(*self._prime_graph(np.asarray(prime_ids, np.int32)), batch)

    def advance(self, logits, states, temperatures: Sequence[float], uniform: np.ndarray, forced: Sequence[int]):
        """One compiled step (see :meth:`_advance`), keeping nothing: the caller holds the state, and passes
        each state in once (a Transformer's cache is written in place, so the state given is used up)."""
        return self._advance_graph(
            logits,
            states,
            np.asarray(temperatures, np.float32),
            np.asarray(uniform, np.float32),
            np.asarray(forced, np.int32),
        )

    def next_token_odds(self, prime: str, temperatures: Sequence[float], top_n: int = 10) -> NextTokenOdds:
        """The distribution of the token after ``prime`` at each temperature (for a bar chart)."""
        prime_ids, _ = self.encode_prime(prime)
        logits, _ = self._prime_graph(np.asarray(prime_ids, np.int32))
        return odds_from_logits(logits.numpy()[0], self.poem.tokenizer, temperatures, top_n)


def encode_prime(tokenizer: Tokenizer, prime: str) -> tuple[list[int], list[str]]:
    """Token ids of the seed (unknown pieces skipped, capped to the last few thousand tokens) and the
    unknown pieces. An empty seed starts at a newline."""
    encoded = tokenizer.encode(prime, skip_unknown=True)
    ids = encoded.ids[-limits.MAX_PRIME_TOKENS :]
    if not ids:
        if prime.strip():
            shown = ", ".join(repr(u) for u in encoded.unknown[:10])
            raise PrimeError(f"None of the seed occurs in the training text (unknown: {shown}). Try other words.")
        if "\n" not in tokenizer.index:
            raise PrimeError("Type a few words to start the poem.")
        ids = [tokenizer.index["\n"]]
    return ids, encoded.unknown


def generation_from(
    tokenizer: Tokenizer,
    prime_ids: list[int],
    unknown: list[str],
    temperatures: Sequence[float],
    tokens: np.ndarray,
    logps: np.ndarray,
    started: float,
) -> Generation:
    """The poems of sampled ``tokens`` [temperature, step] with their log-probabilities, as a Generation."""
    samples = []
    for temperature, row, row_logp in zip(temperatures, tokens, logps):
        # Decoded after the prime, so word-level spacing and quotes continue it correctly.
        pieces = tokenizer.pieces(prime_ids + row.tolist())[len(prime_ids) :]
        samples.append(
            Sample(
                temperature=float(temperature),
                text="".join(pieces),
                pieces=pieces,
                probs=np.exp(row_logp).astype(float).tolist(),
            )
        )
    return Generation(
        prime=tokenizer.decode(prime_ids),
        samples=samples,
        unknown=unknown,
        seconds=time.perf_counter() - started,
    )


def odds_from_logits(
    logits: np.ndarray, tokenizer: Tokenizer, temperatures: Sequence[float], top_n: int = 10
) -> NextTokenOdds:
    """The ``top_n`` likeliest tokens of one logits row (never the unknown word), at each temperature."""
    unknown_id = tokenizer.unknown_id
    order = [int(i) for i in np.argsort(-logits) if i != unknown_id][:top_n]
    rows = [scale_by_temperature(logits, t) for t in temperatures]
    probs = np.array([[row[i] for i in order] for row in rows])
    return NextTokenOdds(
        labels=[tokenizer.display(i) for i in order],
        temperatures=[float(t) for t in temperatures],
        probs=probs,
        other=1.0 - probs.sum(axis=1),
        entropy_bits=np.array([entropy_bits(row) for row in rows]),
    )


def _copied_rows(logits, states, batch):
    """The primed logits and states (one row) repeated for ``batch`` columns."""
    import tensorflow as tf

    return tf.repeat(logits, batch, axis=0), [[tf.repeat(s, batch, axis=0) for s in layer] for layer in states]


def _state_sizes(cell) -> list[int]:
    return list(cell.state_size) if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]

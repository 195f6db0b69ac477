"""Write a poem one token at a time, showing each step's odds, random draw and pick.

A :class:`Stepper` keeps every column's recurrent state between calls, so a
step costs one pass of the network (not a re-run of the whole poem). Each step
uses the same compiled one-step function as :meth:`Generator.generate` and the
same uniform draws (seeded by the seed and the step number), so N steps write
exactly the text ``generate`` writes with ``length=N``.

Every column has its own model and temperature. Columns that share a model are
stepped as one batch; all columns share each step's draw when ``shared_noise``
is on, so a class sees one number land on the favourite at T = 0.2 and on a
rare token at T = 1.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstm_poem import limits
from lstm_poem.network.generate import Generator
from lstm_poem.network.sampling import check_sampling, draw_uniforms, scale_by_temperature

CANDIDATES = 8  # the likeliest tokens shown per step; the rest are summed as "other"
NOT_FORCED = -1


class StepError(ValueError):
    """A step that cannot be taken (a hand-picked token the model does not know, or the poem is full)."""


@dataclass(frozen=True)
class Column:
    """One column of the stepper: the model writing it and its temperature."""

    generator: Generator
    temperature: float


@dataclass(frozen=True)
class ColumnStep:
    """What happened in one column at one step."""

    temperature: float
    candidates: list[str]  # the likeliest tokens before the pick, likeliest first, spelled visibly
    probs: list[float]  # their probabilities at this column's temperature (``other`` holds the rest)
    other: float
    draw: float  # the uniform number in [0, 1) this step drew for this column
    pick: str  # the token appended, as printed
    pick_label: str  # the same, spelled visibly ("⏎" for a line break, "␣" for a space)
    rank: int  # 1 = the favourite
    band: tuple[float, float]  # the pick's stretch of [0, 1) at this temperature; it holds ``draw``
    model_prob: float  # the pick's probability under the model itself (T = 1)
    by_hand: bool  # a student chose it; ``draw`` was not used

    @property
    def prob(self) -> float:
        """The pick's probability at this column's temperature."""
        return self.band[1] - self.band[0]


@dataclass(frozen=True)
class Step:
    """One step of every column."""

    number: int  # 1 for the first token after the seed
    columns: list[ColumnStep]


@dataclass
class _Group:
    """The columns that share one model, stepped as one batch."""

    generator: Generator
    indexes: list[int]  # column positions
    prime_ids: list[int]
    logits: object  # tf.Tensor [columns, vocab]: the odds of the next token
    states: list  # per layer, the recurrent state tensors


class Stepper:
    """A poem in progress, one column per temperature (and model), advanced by :meth:`step`."""

    def __init__(self, prime: str, columns: Sequence[Column], seed: int = 42, shared_noise: bool = True):
        check_sampling([c.temperature for c in columns], 1, 0, 1.0)
        self.columns = list(columns)
        self.seed = int(seed) % 2**31
        self.shared_noise = shared_noise
        self.steps = 0
        self.last: Step | None = None
        self._ids: list[list[int]] = [[] for _ in columns]
        self._groups: list[_Group] = []
        self.unknown: list[str] = []
        by_model: dict[int, list[int]] = {}
        for index, column in enumerate(columns):
            by_model.setdefault(id(column.generator), []).append(index)
        for indexes in by_model.values():
            generator = columns[indexes[0]].generator
            prime_ids, unknown = generator.encode_prime(prime)
            self.unknown += [piece for piece in unknown if piece not in self.unknown]
            logits, states = generator.start(prime_ids, len(indexes))
            self._groups.append(_Group(generator, indexes, prime_ids, logits, states))

    def prime(self, column: int) -> str:
        """The seed as the column's model read it (unknown pieces left out)."""
        group = self._group_of(column)
        return group.generator.poem.tokenizer.decode(group.prime_ids)

    def text(self, column: int) -> str:
        """What the column has written after the seed so far."""
        return "".join(self._pieces(column))

    def step(self, by_hand: str | None = None) -> Step:
        """Write one more token in every column: drawn at random, or ``by_hand`` (the same token everywhere)."""
        import tensorflow as tf

        if self.steps >= limits.MAX_GENERATE_TOKENS:
            raise StepError(f"The poem is {self.steps} tokens long, the most one poem may have.")
        rows = 1 if self.shared_noise else len(self.columns)
        uniform = draw_uniforms(tf.constant(self.seed), tf.constant(self.steps), tf.constant(rows)).numpy()
        draws = np.broadcast_to(uniform, (len(self.columns),))
        forced = self._forced(by_hand)
        results: list[ColumnStep | None] = [None] * len(self.columns)
        for group in self._groups:
            temperatures = [self.columns[i].temperature for i in group.indexes]
            before = group.logits.numpy()
            chosen, _, group.logits, group.states = group.generator.advance(
                group.logits, group.states, temperatures, draws[group.indexes], [forced[i] for i in group.indexes]
            )
            for row, index in enumerate(group.indexes):
                self._ids[index].append(int(chosen[row]))
                results[index] = self._describe(index, before[row], float(draws[index]), by_hand is not None)
        self.steps += 1
        self.last = Step(self.steps, [r for r in results if r is not None])
        return self.last

    # ----- helpers -----

    def _group_of(self, column: int) -> _Group:
        return next(g for g in self._groups if column in g.indexes)

    def _pieces(self, column: int) -> list[str]:
        # Decoded after the prime, as generate() does, so word-level spacing continues it correctly.
        group = self._group_of(column)
        return group.generator.poem.tokenizer.pieces(group.prime_ids + self._ids[column])[len(group.prime_ids) :]

    def _forced(self, by_hand: str | None) -> list[int]:
        if by_hand is None:
            return [NOT_FORCED] * len(self.columns)
        forced = []
        for column in self.columns:
            tokenizer = column.generator.poem.tokenizer
            token = tokenizer.index.get(by_hand)
            if token is None or token == tokenizer.unknown_id:
                raise StepError(f"The model never saw {by_hand!r} in its training text, so it cannot write it.")
            forced.append(token)
        return forced

    def _describe(self, column: int, logits: np.ndarray, draw: float, by_hand: bool) -> ColumnStep:
        """The odds this column had, where its draw fell, and what it wrote."""
        tokenizer = self.columns[column].generator.poem.tokenizer
        temperature = self.columns[column].temperature
        logits = logits.astype(np.float64)
        if tokenizer.unknown_id is not None:
            logits[tokenizer.unknown_id] = -np.inf  # never sampled, so never shown
        order = np.argsort(-logits, kind="stable")
        probs = scale_by_temperature(logits, temperature)[order]
        pick = self._ids[column][-1]
        rank = int(np.flatnonzero(order == pick)[0])
        ends = np.cumsum(probs)
        return ColumnStep(
            temperature=temperature,
            candidates=[tokenizer.display(int(i)) for i in order[:CANDIDATES]],
            probs=probs[:CANDIDATES].tolist(),
            other=float(max(0.0, 1.0 - probs[:CANDIDATES].sum())),
            draw=draw,
            pick=self._pieces(column)[-1],
            pick_label=tokenizer.display(pick),
            rank=rank + 1,
            band=(float(ends[rank] - probs[rank]), float(ends[rank])),
            model_prob=float(scale_by_temperature(logits, 1.0)[pick]),
            by_hand=by_hand,
        )


def loop_length(text: str, longest: int = 200, shortest_run: int = 24) -> int:
    """The length of a piece the text ends by writing at least twice in a row, over at least
    ``shortest_run`` characters (so "   " or "the the" is no loop); 0 if there is none.

    Greedy sampling (T = 0) falls into such loops; the page points them out.
    """
    for period in range(1, longest + 1):
        run = period * max(2, -(-shortest_run // period))
        tail = text[-run:]
        if len(tail) == run and tail == tail[:period] * (run // period):
            return period
    return 0

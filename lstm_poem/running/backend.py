"""Where a training runs: the one seam between the app and the machines that train.

A backend takes a training and hands back a :class:`TrainingHandle`; the pages
only ever use the handle (snapshot, stop, cancel, join) and never know which
backend made it.

- :class:`ThreadBackend` (the default): a thread in this server process, at
  most ``LSTM_POEM_MAX_CONCURRENT_TRAININGS`` at once (see :mod:`lstm_poem.running.job`).
- :class:`~lstm_poem.running.ray_backend.RayBackend`: one Ray actor per training on a
  cluster, chosen by setting ``LSTM_POEM_RAY_ADDRESS`` (Ray is imported only then).

:func:`lstm_poem.running.backend_choice.current_backend` picks one from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from lstm_poem import limits
from lstm_poem.checks import ConfigError
from lstm_poem.network.model import ModelConfig, PoemModel
from lstm_poem.running.job import JobSnapshot, TrainingJob
from lstm_poem.text.corpus import Corpus
from lstm_poem.training.train_config import TrainConfig

RAY_ADDRESS_VARIABLE = "LSTM_POEM_RAY_ADDRESS"


class TrainingHandle(Protocol):
    """A submitted training, wherever it runs."""

    model_config: ModelConfig
    train_config: TrainConfig
    corpus: Corpus

    def snapshot(self, seen: bool = True) -> JobSnapshot:
        """Its progress so far, without waiting for anything remote; ``seen``: someone is watching it."""
        ...

    def stop(self) -> None:
        """End it after the current batch, keeping the best weights (or never start it)."""
        ...

    def cancel(self) -> None:
        """Drop it and its result."""
        ...

    def join(self, timeout: float | None = None) -> bool:
        """Wait until it has ended; True when it has."""
        ...


@dataclass(frozen=True)
class TrainingRequest:
    """One training to run: what to learn from, how, and when to give up on an unwatched one."""

    corpus: Corpus
    model_config: ModelConfig
    train_config: TrainConfig
    init_from: PoemModel | None = None  # fine-tune this model (read only)
    abandon_after: float | None = limits.ABANDONED_TRAINING_SECONDS  # seconds without a snapshot; None = never
    group: str | None = None  # the class that asked first (None: no class); training slots take turns by it


class TrainingBackend(Protocol):
    def submit(self, request: TrainingRequest) -> TrainingHandle:
        """Start the training; never raises for an unreachable machine (the handle reports it)."""
        ...


class ThreadBackend:
    """Train on a thread of this server process: today's behaviour, and the default."""

    def submit(self, request: TrainingRequest) -> TrainingJob:
        return TrainingJob(
            request.corpus,
            request.model_config,
            request.train_config,
            init_from=request.init_from,
            abandon_after=request.abandon_after,
            group=request.group,
        ).start()


@dataclass(frozen=True)
class RayConfig:
    """How trainings run on a Ray cluster (read from ``LSTM_POEM_RAY_*`` variables)."""

    address: str  # what ray.init(address=...) takes: "auto", "127.0.0.1:6379", "head.school.lan:6379"
    cpus_per_training: float = 1.0  # Ray schedules an actor only where this many CPUs are free
    tf_threads: int = 1  # TensorFlow's intra- and inter-op threads in each actor
    lost_after: float = 30.0  # seconds a running actor may stay unreachable before its training counts as lost

    def __post_init__(self) -> None:
        if not self.address.strip():
            raise ConfigError("The Ray cluster address is empty.")
        if not 0.1 <= self.cpus_per_training <= 64:
            raise ConfigError(f"cpus_per_training must be between 0.1 and 64, not {self.cpus_per_training}.")
        if not 1 <= self.tf_threads <= 64:
            raise ConfigError(f"tf_threads must be between 1 and 64, not {self.tf_threads}.")
        if not 1 <= self.lost_after <= 3600:
            raise ConfigError(f"lost_after must be between 1 and 3600 seconds, not {self.lost_after}.")

    @classmethod
    def from_environment(cls) -> RayConfig | None:
        """The configuration the variables describe, or None when no cluster address is set."""
        address = os.environ.get(RAY_ADDRESS_VARIABLE, "").strip()
        if not address:
            return None
        cpus = _number("LSTM_POEM_RAY_CPUS_PER_TRAINING", "1", float)
        threads = _number("LSTM_POEM_RAY_TF_THREADS", str(max(1, round(cpus))), int)
        return cls(address=address, cpus_per_training=cpus, tf_threads=threads)


def _number(variable: str, default: str, kind: type):
    raw = os.environ.get(variable, default)
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{variable} must be a number, not {raw!r}.") from None

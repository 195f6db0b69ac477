"""What runs inside one Ray actor: a single training, in its own process on a cluster node.

A plain class (the Ray backend turns it into an actor with ``ray.remote``), so
this module imports no Ray. The actor is created with two threads: one runs
:meth:`TrainingWorker.train` for the whole training, the other answers
:meth:`progress` and :meth:`stop` meanwhile. Everything that goes in or comes
out is plain data: text, dicts of numbers, bundle bytes.
"""

from __future__ import annotations

import threading
from typing import Any

from lstm_poem import limits
from lstm_poem.running.payload import record_to_dict

# Batch records waiting to be fetched are thinned beyond this, in case the app stops asking.
MAX_PENDING_BATCHES = 4000


class TrainingWorker:
    """One training; the app fetches its new progress records every half second or so."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pending: list[dict[str, Any]] = []
        self._started = False

    def train(
        self,
        text: str,
        corpus_name: str,
        model_config: dict[str, Any],
        train_config: dict[str, Any],
        base_bundle: bytes | None = None,
    ) -> dict[str, Any]:
        """Train and return ``{"result": payload}`` or ``{"error": message}``; never raises for bad input."""
        limits.set_tensorflow_defaults()
        from lstm_poem.checks import ConfigError
        from lstm_poem.files.bundle import BundleError, load_bundle
        from lstm_poem.network.model import ModelConfig
        from lstm_poem.running.payload import result_to_payload
        from lstm_poem.text.corpus import CorpusError, corpus_from_text
        from lstm_poem.training.train import train
        from lstm_poem.training.train_config import TrainConfig

        with self._lock:
            self._started = True
        try:
            corpus = corpus_from_text(text, name=corpus_name)
            base = load_bundle(base_bundle) if base_bundle is not None else None
            result = train(
                corpus, ModelConfig.from_dict(model_config), TrainConfig(**train_config), self._record, self._stop, base
            )
            return {"result": result_to_payload(result)}
        except (CorpusError, ConfigError, BundleError) as err:
            return {"error": str(err)}
        except Exception as err:  # noqa: BLE001 - the message must reach the student, not a worker log only
            return {"error": f"Training failed unexpectedly on the cluster ({type(err).__name__}: {err})."}

    def progress(self) -> dict[str, Any]:
        """The records written since the last call (each is handed out once), and whether training began."""
        with self._lock:
            records, self._pending = self._pending, []
            return {"started": self._started, "records": records}

    def stop(self) -> None:
        """Stop after the current batch, keeping the best weights (the same as the thread backend's Stop)."""
        self._stop.set()

    def _record(self, record) -> None:
        with self._lock:
            self._pending.append(record_to_dict(record))
            if len(self._pending) > MAX_PENDING_BATCHES:
                batches = [data for data in self._pending if data["kind"] == "batch"]
                epochs = [data for data in self._pending if data["kind"] == "epoch"]
                self._pending = batches[::2] + epochs  # the app files epochs and batches apart

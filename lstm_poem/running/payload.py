"""Training results and progress as plain data, to cross a process boundary.

A training that runs in another process (a Ray actor) hands back its model as
a bundle's bytes plus its history and metrics, never a pickled Keras object:
the bundle is the same validated data-only format users download, and loading
it in the app rebuilds the network from its config.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from lstm_poem.training.records import BatchRecord, EpochRecord, ProgressRecord
from lstm_poem.training.result import TrainResult
from lstm_poem.training.train_config import TrainConfig


def record_to_dict(record: ProgressRecord) -> dict[str, Any]:
    return {"kind": "epoch" if isinstance(record, EpochRecord) else "batch", **asdict(record)}


def record_from_dict(data: dict[str, Any]) -> ProgressRecord:
    fields = {key: value for key, value in data.items() if key != "kind"}
    return EpochRecord(**fields) if data["kind"] == "epoch" else BatchRecord(**fields)


def result_to_payload(result: TrainResult) -> dict[str, Any]:
    """Everything the app needs from a finished training, as bytes, numbers and strings."""
    from lstm_poem.files.bundle import bundle_bytes

    return {
        "bundle": bundle_bytes(result.poem),
        "history": [asdict(record) for record in result.history],
        "best_epoch": result.best_epoch,
        "best_val_loss": result.best_val_loss,
        "val_bits_per_char": result.val_bits_per_char,
        "stop_reason": result.stop_reason,
        "seconds": result.seconds,
        "train_tokens_per_s": result.train_tokens_per_s,
        "notes": list(result.notes),
    }


def result_from_payload(payload: dict[str, Any], train_config: TrainConfig) -> TrainResult:
    """The :class:`TrainResult` again, its model loaded from the bundle bytes (raises BundleError)."""
    from lstm_poem.files.bundle import load_bundle

    return TrainResult(
        poem=load_bundle(payload["bundle"]),
        train_config=train_config,
        history=[EpochRecord(**record) for record in payload["history"]],
        best_epoch=int(payload["best_epoch"]),
        best_val_loss=float(payload["best_val_loss"]),
        val_bits_per_char=float(payload["val_bits_per_char"]),
        stop_reason=str(payload["stop_reason"]),
        seconds=float(payload["seconds"]),
        train_tokens_per_s=float(payload["train_tokens_per_s"]),
        notes=list(payload["notes"]),
    )

"""Pretrained demo models that ship with the project, so the first poem needs no training.

``pretrained/catalog.json`` lists each bundle with how it was made (the exact
command, the corpus, its held-out loss, the date). ``scripts/train_pretrained.py``
writes both the bundles and the catalog, so anyone can re-train them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_poem.network.model import PoemModel

if TYPE_CHECKING:
    from lstm_poem.files.bundle import BundleContents

# LSTM_POEM_PRETRAINED_DIR points elsewhere, e.g. at a trimmed catalog (bench/app_footprint.py compares one model
# with all of them).
PRETRAINED_DIR = Path(os.environ.get("LSTM_POEM_PRETRAINED_DIR") or Path(__file__).resolve().parents[2] / "pretrained")


@dataclass(frozen=True)
class PretrainedModel:
    """One shipped bundle and the facts of its training."""

    name: str
    title: str
    description: str
    path: Path
    corpus: str  # what it was trained on, in words
    command: str  # the command line that trained it
    held_out_loss: float  # nats per token on the held-out tail, as evaluated after training
    held_out: str  # which text the held-out loss was measured on
    trained_on: str  # ISO date
    seconds: float  # wall time of the training
    base: str | None = None  # the model it was fine-tuned from (its training text is in this one too)

    def load(self) -> PoemModel:
        from lstm_poem.files.bundle import load_bundle

        return load_bundle(self.path)

    def read(self) -> BundleContents:
        """The bundle's checked parts without building a network (no TensorFlow)."""
        from lstm_poem.files.bundle import read_bundle

        return read_bundle(self.path)


def pretrained_catalog(directory: Path | None = None) -> list[PretrainedModel]:
    """The shipped models in catalog order; empty when there are none (e.g. a trimmed install)."""
    directory = directory or PRETRAINED_DIR
    index = directory / "catalog.json"
    if not index.is_file():
        return []
    return [
        PretrainedModel(
            name=item["name"],
            title=item["title"],
            description=item["description"],
            path=directory / item["file"],
            corpus=item["corpus"],
            command=item["command"],
            held_out_loss=float(item["held_out_loss"]),
            held_out=item["held_out"],
            trained_on=item["trained_on"],
            seconds=float(item["seconds"]),
            base=item.get("base"),
        )
        for item in json.loads(index.read_text(encoding="utf-8"))["models"]
        if (directory / item["file"]).is_file()
    ]

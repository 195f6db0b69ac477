"""Resumable long trainings: the whole training state in a folder after every epoch.

A training over a large corpus can take longer than one sitting. With a
checkpoint folder, :func:`~lstm_poem.training.train.train` writes after every epoch

- ``state.json``: the settings, the epochs done, the early-stopping and
  learning-rate-schedule state, and the history so far;
- ``weights.npz`` and ``optimizer.npz``: the network's weights and Adam's
  moments and step count at the end of the last epoch;
- ``best.npz``: the best epoch's weights (what early stopping restores);
- ``best.zip``: a model bundle of the best epoch so far, loadable by the app and
  the command line while the training goes on;

and a later call with the same folder and settings continues where the last
one stopped. Every file is written under a temporary name and then renamed, so
a run killed while saving leaves the previous checkpoint whole. Everything is
plain JSON and ``.npz`` arrays (loaded with pickles refused), like a bundle.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from lstm_poem.network.model import PoemModel
from lstm_poem.text.corpus import CorpusError
from lstm_poem.training.progress import ProgressCallback
from lstm_poem.training.records import EpochRecord

STATE = "state.json"
# Settings a resumed run must share with the run that wrote the checkpoint (others, such as the
# number of epochs, patience or time limit, may change between sessions).
SAME_SETTINGS = ("seq_len", "batch_size", "val_fraction", "holdout", "steps_per_epoch", "seed")


@dataclass(frozen=True)
class Resume:
    """A checkpoint read back: where the run stopped and everything needed to go on."""

    state: dict[str, Any]
    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    best_weights: list[np.ndarray]

    @property
    def epochs_done(self) -> int:
        return int(self.state["epochs_done"])


def read_checkpoint(folder: str | Path) -> Resume | None:
    """The checkpoint in ``folder``, or None when there is none yet; raise :class:`CorpusError` if unreadable."""
    folder = Path(folder)
    if not (folder / STATE).is_file():
        return None
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
        return Resume(
            state=state,
            weights=_load_arrays(folder / "weights.npz"),
            optimizer=_load_arrays(folder / "optimizer.npz"),
            best_weights=_load_arrays(folder / "best.npz"),
        )
    except (OSError, ValueError, KeyError) as err:
        raise CorpusError(f"The checkpoint in {folder} cannot be read ({err}); use a new folder.") from None


def check_compatible(resume: Resume, model: dict[str, Any], tokenizer: dict[str, Any], training: dict[str, Any]):
    """Raise :class:`CorpusError` unless the checkpoint was written by a run with these settings and text."""
    if resume.state["model"] != model:
        raise CorpusError("The checkpoint was written for a different model architecture; use a new folder.")
    if resume.state["tokenizer"] != tokenizer:
        raise CorpusError("The checkpoint was written for a different text (its vocabulary differs).")
    changed = [name for name in SAME_SETTINGS if resume.state["training"].get(name) != training.get(name)]
    if changed:
        raise CorpusError(f"The checkpoint was written with other settings ({', '.join(changed)}); use a new folder.")


def restore_network(network: keras.Model, resume: Resume) -> None:
    """Put the checkpoint's weights and optimizer state into a freshly built and compiled network."""
    network.set_weights(resume.weights)
    optimizer = network.optimizer
    optimizer.build(network.trainable_variables)
    if [tuple(v.shape) for v in optimizer.variables] != [a.shape for a in resume.optimizer]:
        raise CorpusError("The checkpoint's optimizer state does not fit this model; use a new folder.")
    for variable, value in zip(optimizer.variables, resume.optimizer):
        variable.assign(value)


class CheckpointCallback(keras.callbacks.Callback):
    """Saves the training state after every epoch and, on a resumed run, restores the callbacks' state.

    Listed last, so that its ``on_train_begin`` runs after the other callbacks
    have reset themselves, and its ``on_epoch_end`` sees their updated state.
    """

    def __init__(
        self,
        folder: str | Path,
        progress: ProgressCallback,
        reduce_lr: keras.callbacks.ReduceLROnPlateau | None,
        settings: dict[str, Any],
        describe: Callable[[], dict[str, Any]],
        poem: PoemModel,
        resume: Resume | None,
    ):
        super().__init__()
        self.folder = Path(folder)
        self.progress = progress
        self.early_stopping = progress.early_stopping
        self.reduce_lr = reduce_lr
        self.settings = settings  # model, tokenizer and training settings, as plain JSON
        self.describe = describe  # the bundle info of the model as it stands
        self.poem = poem
        self.resume = resume

    def on_train_begin(self, logs=None):
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.resume is None:
            return
        state = self.resume.state
        es = self.early_stopping
        es.best, es.best_epoch, es.wait = state["early_stopping"]["best"], *state["early_stopping"]["at"]
        es.best_weights = self.resume.best_weights
        if self.reduce_lr is not None and state.get("reduce_lr"):
            rl = self.reduce_lr
            rl.best, rl.wait, rl.cooldown_counter = state["reduce_lr"]
        self.progress.history = [EpochRecord(**record) for record in state["history"]]
        self.progress.start -= self.progress.history[-1].elapsed if self.progress.history else 0.0

    def on_epoch_end(self, epoch, logs=None):
        es = self.early_stopping
        improved = es.best_epoch == epoch
        if improved:
            _save_arrays(self.folder / "best.npz", self.model.get_weights())
            from lstm_poem.files.bundle import bundle_bytes

            self.poem.info = self.describe()
            _write(self.folder / "best.zip", bundle_bytes(self.poem))
        _save_arrays(self.folder / "weights.npz", self.model.get_weights())
        _save_arrays(self.folder / "optimizer.npz", [v.numpy() for v in self.model.optimizer.variables])
        rl = self.reduce_lr
        state = {
            **self.settings,
            "epochs_done": epoch + 1,
            "early_stopping": {"best": float(es.best), "at": [int(es.best_epoch), int(es.wait)]},
            "reduce_lr": [float(rl.best), int(rl.wait), int(rl.cooldown_counter)] if rl is not None else None,
            "history": [asdict(record) for record in self.progress.history],
        }
        _write(self.folder / STATE, json.dumps(state, indent=1).encode("utf-8"))


def _save_arrays(path: Path, arrays: list[np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **{f"a{i:03d}": np.asarray(a) for i, a in enumerate(arrays)})
    _write(path, buffer.getvalue())


def _load_arrays(path: Path) -> list[np.ndarray]:
    with np.load(path, allow_pickle=False) as arrays:
        return [arrays[f"a{i:03d}"] for i in range(len(arrays.files))]


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees either the old file or the new one, never half."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)

import json

import pytest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.files.bundle import load_bundle
from lstm_poem.text.corpus import CorpusError
from lstm_poem.training.checkpoint import read_checkpoint
from lstm_poem.training.records import BatchRecord
from lstm_poem.training.train import TrainConfig, train

STEPS = 3


def _poems_text(ballads_text: str) -> str:
    """The ballads as a collection of poems: every stanza a 'poem', so there are enough to hold some out."""
    return "\n\n\n".join(stanza for stanza in ballads_text.split("\n\n") if stanza.strip()) + "\n"


def _config(folder, **overrides) -> TrainConfig:
    settings = {"holdout": "poems", "steps_per_epoch": STEPS, "checkpoint_dir": str(folder), "lr_patience": 1}
    settings.update(overrides)
    return tiny_train_config(**settings)


def adam_steps(folder) -> int:
    """The step count Adam saved in a checkpoint: its one integer scalar."""
    (steps,) = [a for a in read_checkpoint(folder).optimizer if a.ndim == 0 and a.dtype.kind == "i"]
    return int(steps)


def test_checkpoint_resumes_where_the_run_stopped(ballads_text, tmp_path):
    text = _poems_text(ballads_text)
    first = train(text, tiny_model_config(), _config(tmp_path, epochs=2))
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["epochs_done"] == 2 and len(state["history"]) == 2
    assert adam_steps(tmp_path) == 2 * STEPS

    # The best epoch so far is a model bundle the app and the command line can open.
    best = load_bundle(tmp_path / "best.zip")
    assert best.info["metrics"]["best_val_loss"] == pytest.approx(first.best_val_loss)
    assert best.info["metrics"]["stop_reason"] == "running"

    resumed = train(text, tiny_model_config(), _config(tmp_path, epochs=4))
    assert [r.epoch for r in resumed.history] == [1, 2, 3, 4]
    assert resumed.history[:2] == first.history  # the first session's records, carried over
    # Adam carried on from its saved step count and moments instead of starting again.
    assert adam_steps(tmp_path) == 4 * STEPS
    assert resumed.history[2].elapsed > first.history[1].elapsed
    assert resumed.best_val_loss == min(r.val_loss for r in resumed.history)
    assert json.loads((tmp_path / "state.json").read_text())["epochs_done"] == 4


def test_resuming_with_other_settings_is_refused(ballads_text, tmp_path):
    text = _poems_text(ballads_text)
    train(text, tiny_model_config(), _config(tmp_path, epochs=1))
    with pytest.raises(CorpusError, match="batch_size"):
        train(text, tiny_model_config(), _config(tmp_path, epochs=2, batch_size=16))
    with pytest.raises(CorpusError, match="architecture"):
        train(text, tiny_model_config(units=48), _config(tmp_path, epochs=2))


def test_steps_per_epoch_sets_the_epoch_length(ballads_text):
    batches = []
    progress = lambda record: batches.append(record) if isinstance(record, BatchRecord) else None  # noqa: E731
    train(_poems_text(ballads_text), tiny_model_config(), tiny_train_config(epochs=2, steps_per_epoch=4), progress)
    assert [(b.epoch, b.batch, b.batches) for b in batches] == [(e, n, 4) for e in (1, 2) for n in (1, 2, 3, 4)]


def test_poems_holdout_scores_whole_held_out_poems(ballads_text):
    result = train(_poems_text(ballads_text), tiny_model_config(), tiny_train_config(epochs=1, holdout="poems"))
    assert result.poem.info["training"]["holdout"] == "poems" and result.best_val_loss > 0
    with pytest.raises(CorpusError, match="two blank lines"):
        train("one poem only\n" * 200, tiny_model_config(), tiny_train_config(epochs=1, holdout="poems"))

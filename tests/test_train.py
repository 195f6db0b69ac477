import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.checks import ConfigError
from lstm_poem.measuring.evaluate import evaluate
from lstm_poem.network.generate import Generator
from lstm_poem.text.corpus import CorpusError, corpus_from_text
from lstm_poem.training.data import split_stream
from lstm_poem.training.records import BatchRecord, EpochRecord
from lstm_poem.training.train import train
from lstm_poem.training.train_config import TrainConfig


def heldout_loss(result, text):
    """Loss of the returned model on the held-out tail of ``text``, scored afresh."""
    config = result.train_config
    ids = np.asarray(result.poem.tokenizer.encode(corpus_from_text(text).text).ids)  # cleaned, as train() saw it
    split = split_stream(ids, config.seq_len, config.val_fraction)
    return evaluate(result.poem, result.poem.tokenizer.decode(split.heldout.tolist())).loss


def test_progress_records_and_result(trained):
    result = trained
    assert result.epochs_run == 2 and result.stop_reason == "max_epochs" and not result.stopped_early
    first, second = result.history
    assert (first.epoch, second.epoch) == (1, 2)
    assert second.val_loss < first.val_loss < math.log(result.poem.tokenizer.vocab_size) + 0.5
    assert result.best_val_loss == min(r.val_loss for r in result.history)
    assert result.val_bits_per_char == pytest.approx(result.best_val_loss / math.log(2))
    summary = result.summary()
    assert summary["level"] == "char" and summary["cell"] == "lstm" and summary["train_tokens_per_s"] > 0
    assert result.poem.info["history"][1]["val_loss"] == second.val_loss


def test_batch_records_recover_each_batch_loss(small_text):
    records = []
    train(small_text, tiny_model_config(), tiny_train_config(epochs=1), on_progress=records.append)
    batches = [r for r in records if isinstance(r, BatchRecord)]
    (epoch,) = [r for r in records if isinstance(r, EpochRecord)]
    assert [b.batch for b in batches] == list(range(1, batches[0].batches + 1))
    assert batches[-1].fraction == 1.0
    # The mean of the per-batch losses (weighted by batch size) is the epoch loss Keras reports.
    assert np.mean([b.loss for b in batches[:-1]]) == pytest.approx(epoch.loss, rel=0.1)
    assert batches[0].loss > batches[-1].loss


def test_early_stopping_stops_and_restores_the_best_weights(small_text):
    # min_delta is so large that after the first epochs nothing counts as an improvement.
    config = tiny_train_config(epochs=30, patience=2, min_delta=0.3, learning_rate=0.02)
    result = train(small_text, tiny_model_config(), config)
    assert result.stop_reason == "early_stopping" and result.stopped_early
    assert result.epochs_run == result.best_epoch + 2 < 30
    last = result.history[-1]
    assert last.epochs_without_improvement == last.patience == 2
    # The model we got back is the best epoch's, not the last epoch's.
    restored = heldout_loss(result, small_text)
    assert restored == pytest.approx(result.best_val_loss, abs=1e-4)
    assert abs(restored - last.val_loss) > 1e-3


def test_an_improvement_smaller_than_lr_min_delta_halves_the_learning_rate(small_text):
    # A tiny model on a tiny text improves by far less than 1 nat an epoch: every epoch is a plateau
    # for the learning rate, while early stopping (min_delta 0) still sees the improvements.
    config = tiny_train_config(epochs=3, patience=5, learning_rate=0.02, lr_min_delta=1.0)
    result = train(small_text, tiny_model_config(), config)
    assert [r.learning_rate for r in result.history] == pytest.approx([0.02, 0.01, 0.005])  # the first sets the mark
    assert result.best_epoch == 3  # the smaller steps still improved the held-out loss
    default = train(small_text, tiny_model_config(), replace(config, lr_min_delta=0.0001))
    assert [r.learning_rate for r in default.history] == pytest.approx([0.02, 0.02, 0.02])


def test_same_seed_same_losses(small_text):
    runs = [train(small_text, tiny_model_config(dropout=0.2), tiny_train_config(epochs=2)) for _ in range(2)]
    assert [r.val_loss for r in runs[0].history] == [r.val_loss for r in runs[1].history]
    other = train(small_text, tiny_model_config(dropout=0.2), tiny_train_config(epochs=2, seed=7))
    assert other.history[-1].val_loss != runs[0].history[-1].val_loss


def test_user_stop_keeps_best_weights(small_text):
    stop = threading.Event()

    def press_stop(record):
        if isinstance(record, BatchRecord) and record.epoch == 2 and record.batch == 2:
            stop.set()

    result = train(small_text, tiny_model_config(), tiny_train_config(epochs=20), press_stop, stop)
    assert result.stop_reason == "user_stop" and result.epochs_run == 2
    assert heldout_loss(result, small_text) == pytest.approx(result.best_val_loss, abs=1e-4)


def test_time_limit(small_text):
    result = train(small_text, tiny_model_config(), tiny_train_config(epochs=500, time_limit=0.01))
    assert result.stop_reason == "time_limit" and result.epochs_run == 1


def test_word_level_trains_with_samples(ballads_text):
    result = train(
        ballads_text,
        tiny_model_config(level="word", max_words=300),
        tiny_train_config(seq_len=16, epochs=1, sample_length=12),
    )
    assert result.poem.tokenizer.level == "word" and result.poem.tokenizer.vocab_size == 300
    assert result.history[0].sample  # a sample is written after each epoch
    poem = Generator(result.poem).generate("The miller", [1.0], length=200, seed=1).samples[0].text
    assert "\n" in poem and "<unk>" not in poem  # line breaks survive; the unknown word is never written
    # bits per char divides by characters, which are more numerous than word tokens
    assert result.val_bits_per_char < result.best_val_loss / math.log(2)


def test_text_too_short_for_window():
    with pytest.raises(CorpusError, match="too short"):
        train("A single line of verse.\n", tiny_model_config(), tiny_train_config(seq_len=64))


@pytest.mark.parametrize(
    "settings", [{"seq_len": 2}, {"batch_size": 0}, {"learning_rate": 5.0}, {"epochs": 10**6}, {"val_fraction": 0.9}]
)
def test_impossible_training_settings(settings):
    with pytest.raises(ConfigError):
        TrainConfig(**settings)


def test_sample_prime_is_the_first_complete_line_of_the_tail():
    from lstm_poem.training.callbacks import first_line

    assert first_line("ch, March\nThe shepherd does not sleep,\nand more\n") == "The shepherd does not sleep,\n"
    assert first_line("only a fragment") == "only a fragment\n"


def test_word_vocabulary_comes_from_the_training_part_only(ballads_text):
    text = ballads_text[:6000] + "\n" + "zephyrous quillwort " * 60 + "\n"  # words only in the held-out tail
    result = train(text, tiny_model_config(level="word"), tiny_train_config(epochs=1, seq_len=16))
    tokens = set(result.poem.tokenizer.tokens)
    assert "zephyrous" not in tokens and "quillwort" not in tokens
    assert "miller" in tokens


def test_bundle_lists_the_most_frequent_words_when_there_are_too_many(small_text, monkeypatch):
    import lstm_poem.training.result as result

    monkeypatch.setattr(result, "MAX_SAVED_WORDS", 3)
    text = small_text + "\n" + "zither " * 500 + "\n"
    listed = train(text, tiny_model_config(), tiny_train_config(epochs=1)).poem.info["corpus"]["words"]
    assert len(listed) == 3 and "zither" in listed  # frequent, though late in the alphabet


def test_bfloat16_training_falls_back_to_float32_without_native_support(small_text, monkeypatch):
    import lstm_poem.network.model as model

    config = tiny_train_config(epochs=1, precision="mixed_bfloat16")
    monkeypatch.setattr(model, "native_bfloat16", lambda: True)
    fast = train(small_text, tiny_model_config(), config)
    assert fast.precision == "mixed_bfloat16" and not fast.notes
    assert fast.poem.network.get_layer("lstm_1").compute_dtype == "float32"  # handed back as it will load
    assert math.isfinite(fast.best_val_loss)
    monkeypatch.setattr(model, "native_bfloat16", lambda: False)
    plain = train(small_text, tiny_model_config(), config)
    assert plain.precision == "float32" and "no native bfloat16" in plain.notes[0]


def test_a_bfloat16_training_writes_its_epoch_samples_from_float32_weights(small_text, monkeypatch):
    import lstm_poem.network.model as model

    monkeypatch.setattr(model, "native_bfloat16", lambda: True)
    config = tiny_train_config(epochs=2, precision="mixed_bfloat16", sample_length=20)
    result = train(small_text, tiny_model_config(), config)
    assert result.precision == "mixed_bfloat16"
    assert all(len(record.sample) > 20 for record in result.history)  # the prime line plus 20 characters


def test_keeping_the_last_epochs_weights_hands_back_the_last_epoch(small_text):
    last = train(small_text, tiny_model_config(), tiny_train_config(epochs=4, keep_weights="last"))
    best = train(small_text, tiny_model_config(), tiny_train_config(epochs=4))
    assert [r.val_loss for r in best.history] == [r.val_loss for r in last.history]  # the same training
    assert last.best_epoch == 4 and last.best_val_loss == last.history[-1].val_loss
    assert best.best_val_loss == min(r.val_loss for r in best.history)
    same = all(np.array_equal(a, b) for a, b in zip(last.poem.network.get_weights(), best.poem.network.get_weights()))
    assert same == (best.best_epoch == 4)  # different weights unless the last epoch was also the best
    with pytest.raises(ConfigError, match="keep_weights"):
        TrainConfig(keep_weights="worst")

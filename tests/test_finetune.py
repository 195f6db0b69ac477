"""Fine-tuning: starting from a trained model (``train(..., init_from=...)``)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.files.bundle import bundle_bytes, load_bundle
from lstm_poem.network.generate import Generator
from lstm_poem.network.model import recurrent_layers
from lstm_poem.training.finetune import adapt_vocabulary, network_from_base
from lstm_poem.training.train import train

NEW_VERSE = "(Quiet) the harbour sleeps; 1 lamp, 2 boats,\nand the tide [turning] slowly home.\n" * 40


def weights_of(network, name: str) -> list[np.ndarray]:
    return [w.copy() for w in network.get_layer(name).get_weights()]


def test_new_characters_extend_the_vocabulary_and_old_ones_keep_their_meaning(trained):
    base = trained.poem
    vocabulary = adapt_vocabulary(base, NEW_VERSE)
    added = sorted(set(NEW_VERSE) - set(base.tokenizer.tokens))
    assert added and vocabulary.added == added
    assert vocabulary.tokenizer.tokens == base.tokenizer.tokens + added  # old ids unchanged
    assert "added" in vocabulary.notes()[0]

    network = network_from_base(base, vocabulary.tokenizer.vocab_size)
    ids = np.array([base.tokenizer.encode("the river\nand the sea").ids], dtype=np.int32)
    old_logits = np.asarray(base.network(ids, training=False))
    new_logits = np.asarray(network(ids, training=False))
    known = base.tokenizer.vocab_size
    np.testing.assert_allclose(new_logits[..., :known], old_logits, rtol=1e-5, atol=1e-5)
    # A new character starts no likelier than the rarest known one would with the same weights.
    assert new_logits[..., known:].shape[-1] == len(added)


def test_word_level_keeps_the_vocabulary_and_reports_unknown_words(small_text):
    base = train(small_text, tiny_model_config(level="word", max_words=300), tiny_train_config(epochs=1)).poem
    vocabulary = adapt_vocabulary(base, "The zeppelin hums over the zeppelin yard.\n")
    assert vocabulary.tokenizer is base.tokenizer and vocabulary.added == []
    assert vocabulary.unknown[0] == "zeppelin"  # most frequent first
    assert "unknown" in vocabulary.notes()[0]


def test_fine_tuning_trains_from_the_base_and_records_it(trained):
    result = train(NEW_VERSE, train_config=tiny_train_config(epochs=2), init_from=trained.poem)
    poem = result.poem
    assert poem.config == trained.poem.config  # the architecture comes from the base
    assert poem.info["base_model"]["corpus"] == trained.poem.info["corpus"]["name"]
    assert any("added" in note for note in result.notes)
    again = load_bundle(bundle_bytes(poem))  # a fine-tuned bundle is a bundle like any other
    assert again.info["base_model"] == poem.info["base_model"]
    first = Generator(poem).generate("(Quiet", [0.5], length=40, seed=3).samples[0].text
    assert Generator(again).generate("(Quiet", [0.5], length=40, seed=3).samples[0].text == first
    assert len(first) == 40


def test_frozen_parts_keep_their_weights_and_the_rest_learns(small_text):
    base = train(small_text, tiny_model_config(layers=2), tiny_train_config(epochs=1)).poem
    config = tiny_train_config(epochs=1, freeze_embedding=True, freeze_layers=1)
    tuned = train(small_text[::-1], train_config=config, init_from=base).poem  # same characters, new order
    lower, upper = recurrent_layers(base.network)
    tuned_lower, tuned_upper = recurrent_layers(tuned.network)
    for before, after in zip(weights_of(base.network, "embedding"), weights_of(tuned.network, "embedding")):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(lower.get_weights(), tuned_lower.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert any(not np.array_equal(b, a) for b, a in zip(upper.get_weights(), tuned_upper.get_weights()))


def test_freeze_settings_are_validated():
    from lstm_poem.checks import ConfigError

    with pytest.raises(ConfigError):
        tiny_train_config(freeze_layers=7)

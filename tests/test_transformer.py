"""The Transformer model kind: config, network, training, generation, stepping, attention, bundles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import tiny_train_config
from lstm_poem.checks import ConfigError
from lstm_poem.files.bundle import bundle_bytes, load_bundle
from lstm_poem.files.bundle_checks import BundleError
from lstm_poem.network.generate import Generator
from lstm_poem.network.model import ModelConfig, build_model
from lstm_poem.teaching.stepper import Column, Stepper
from lstm_poem.training.finetune import adapt_vocabulary, network_from_base
from lstm_poem.training.train import train

CONTEXT = 24
PRIME = "The miller hung a lantern out\n"


def tiny_transformer(**overrides) -> ModelConfig:
    settings = {"cell": "transformer", "layers": 2, "units": 16, "heads": 2, "context": CONTEXT, "dropout": 0.0}
    settings.update(overrides)
    return ModelConfig(**settings)


def transformer_training(**overrides):
    settings = {"seq_len": CONTEXT, "learning_rate": 0.003, "warmup_steps": 5, "weight_decay": 0.1}
    settings.update(overrides)
    return tiny_train_config(**settings)


@pytest.fixture(scope="module")
def trained_transformer(small_text):
    return train(small_text, tiny_transformer(), transformer_training(epochs=2))


@pytest.fixture(scope="module")
def transformer_generator(trained_transformer):
    return Generator(trained_transformer.poem)


def test_settings_of_a_transformer_and_of_the_recurrent_models():
    config = tiny_transformer(embedding=64)
    assert config.embedding == config.units  # tied: the table is as wide as the model
    assert ModelConfig.from_dict(config.to_dict()) == config
    # A recurrent model's description is what it was before Transformers existed.
    assert ModelConfig().to_dict() == {
        "level": "char", "cell": "lstm", "layers": 1, "units": 256, "embedding": 64, "dropout": 0.2,
        "max_words": 4000,
    }  # fmt: skip
    with pytest.raises(ConfigError, match="multiple of heads"):
        tiny_transformer(units=18, heads=4)
    with pytest.raises(ConfigError, match="settings of a Transformer"):
        ModelConfig(cell="lstm", heads=8)
    with pytest.raises(ConfigError, match="layers"):
        tiny_transformer(layers=9)
    assert tiny_transformer(layers=8).layers == 8


@pytest.mark.parametrize("layers, heads, vocab", [(1, 1, 30), (3, 4, 57)])
def test_weight_shapes_and_count_follow_keras(layers, heads, vocab):
    config = tiny_transformer(layers=layers, heads=heads)
    network = build_model(config, vocab)
    assert [tuple(w.shape) for w in network.weights] == config.weight_shapes(vocab)
    assert network.count_params() == config.parameter_count(vocab)
    assert tuple(network(np.zeros((2, 7), np.int32)).shape) == (2, 7, vocab)


def test_a_position_never_sees_the_tokens_after_it():
    network = build_model(tiny_transformer(), 30)
    ids = np.random.default_rng(0).integers(0, 30, (2, 12)).astype(np.int32)
    changed = ids.copy()
    changed[:, 8] = (changed[:, 8] + 1) % 30
    before, after = np.asarray(network(ids)), np.asarray(network(changed))
    assert np.array_equal(before[:, :8], after[:, :8])
    assert not np.allclose(before[:, 8:], after[:, 8:])


def test_trains_and_the_same_seed_gives_the_same_model(small_text, trained_transformer):
    result = trained_transformer
    assert result.poem.config.cell == "transformer" and result.summary()["cell"] == "transformer"
    first, second = result.history
    assert second.val_loss < first.val_loss
    again = train(small_text, tiny_transformer(), transformer_training(epochs=2))
    assert [r.val_loss for r in again.history] == [r.val_loss for r in result.history]
    for mine, theirs in zip(result.poem.network.get_weights(), again.poem.network.get_weights()):
        np.testing.assert_array_equal(mine, theirs)


def test_a_window_longer_than_the_context_is_refused(small_text):
    with pytest.raises(ConfigError, match="context"):
        train(small_text, tiny_transformer(), transformer_training(seq_len=CONTEXT + 1))


def test_the_warm_up_raises_the_rate_to_its_value(small_text):
    records = []
    train(small_text, tiny_transformer(), transformer_training(epochs=1, warmup_steps=1000), records.append)
    epoch = [r for r in records if hasattr(r, "learning_rate")][0]
    batches = len([r for r in records if not hasattr(r, "learning_rate")])
    assert epoch.learning_rate == pytest.approx(0.003 * batches / 1000)


def test_after_the_warm_up_the_rate_follows_a_cosine_to_its_floor(small_text):
    from lstm_poem.training.schedule import RateSchedule

    by_batches = RateSchedule(peak=0.001, warmup=10, decay_to=0.0001, total_batches=110)
    assert by_batches.rate_after_warmup(10) == pytest.approx(0.001)
    assert by_batches.rate_after_warmup(60) == pytest.approx(0.00055)
    assert by_batches.rate_after_warmup(110) == by_batches.rate_after_warmup(500) == pytest.approx(0.0001)
    by_time = RateSchedule(peak=0.001, warmup=10, decay_to=0.0001, time_limit=0.0)
    assert by_time.rate_after_warmup(11) == pytest.approx(0.0001)  # the budget is spent: the floor
    records = []
    config = transformer_training(epochs=3, warmup_steps=2, decay_to=0.0003, lr_patience=1)
    train(small_text, tiny_transformer(), config, records.append)
    rates = [r.learning_rate for r in records if hasattr(r, "learning_rate")]
    assert 0.003 > rates[0] > rates[1] > rates[2] >= 0.0003  # falling, with no plateau halving in the way
    assert rates[2] < 0.0005


def test_the_residual_projections_start_smaller_the_deeper_the_network():
    network = build_model(tiny_transformer(layers=8, units=64), 40)
    block = network.get_layer("block_1")
    assert np.std(block.qkv_kernel.numpy()) == pytest.approx(0.02, rel=0.1)
    for kernel in (block.out_kernel, block.mlp_out_kernel):
        assert np.std(kernel.numpy()) == pytest.approx(0.02 / 4, rel=0.1)  # 0.02 / sqrt(2 * 8)


def test_evaluate_scores_every_token_once_with_the_context_asked_for(trained_transformer, small_text):
    from lstm_poem.measuring.evaluate import evaluate, overlapping_windows

    inputs, targets = overlapping_windows(np.arange(20), window=6, min_context=3)
    assert inputs[:, 0].tolist() == [0, 4, 8, 12] and targets[:, 2:].reshape(-1).tolist() == list(range(3, 19))
    poem = trained_transformer.poem
    text = small_text[:3000]
    plain = evaluate(poem, text)
    assert evaluate(poem, text, window=CONTEXT) == plain and plain.window == CONTEXT and plain.min_context == 0
    with_context = evaluate(poem, text, window=CONTEXT, min_context=8)
    assert with_context.min_context == 8 and with_context.tokens > plain.tokens - CONTEXT - 8
    with pytest.raises(ConfigError, match="window"):
        evaluate(poem, text, window=CONTEXT + 1)  # its positions end at the context


def test_cached_steps_give_the_full_networks_logits(trained_transformer, transformer_generator):
    """The key/value cache computes what running the whole window through the network computes."""
    poem = trained_transformer.poem
    ids = poem.tokenizer.encode(PRIME[:10]).ids
    logits, states = transformer_generator._reader.prime(np.asarray(ids[:4], np.int32))
    for i in range(4, len(ids)):
        logits, states = transformer_generator._reader.step(np.asarray(ids[i : i + 1], np.int32), states)
    full = np.asarray(poem.network(np.asarray([ids], np.int32)))[0, -1]
    np.testing.assert_allclose(np.asarray(logits)[0], full, atol=1e-4)


@pytest.mark.parametrize("shared_noise", [True, False])
def test_stepping_n_times_writes_what_generate_writes(transformer_generator, shared_noise):
    temperatures = [0.0, 0.5, 1.0]
    length = 3 * CONTEXT  # past the window more than once: the cache is rebuilt on the way
    written = transformer_generator.generate(PRIME, temperatures, length=length, seed=7, shared_noise=shared_noise)
    steps = Stepper(PRIME, [Column(transformer_generator, t) for t in temperatures], seed=7, shared_noise=shared_noise)
    for _ in range(length):
        steps.step()
    assert [steps.text(i) for i in range(3)] == [s.text for s in written.samples]
    assert all(len(s.pieces) == length for s in written.samples)


def test_a_seed_longer_than_the_context_keeps_its_last_tokens(trained_transformer, transformer_generator):
    long_seed = PRIME * 6
    assert len(long_seed) > trained_transformer.poem.attention_window
    tail = long_seed[-trained_transformer.poem.attention_window :]
    assert transformer_generator.generate(long_seed, [0.0], length=40).samples[0].text == (
        transformer_generator.generate(tail, [0.0], length=40).samples[0].text
    )


def test_the_window_is_the_trained_one_within_the_context(trained_transformer):
    assert trained_transformer.poem.attention_window == CONTEXT
    shorter = train("a rose, a rose;\n" * 200, tiny_transformer(), transformer_training(epochs=1, seq_len=16))
    assert shorter.poem.attention_window == 16


def test_attention_weights_per_layer_and_head(trained_transformer):
    from lstm_poem.network.transformer import attention_map
    from lstm_poem.teaching.inside import trace

    text = PRIME[:20]
    seen = attention_map(trained_transformer.poem, text)
    assert "".join(seen.pieces) == text and len(seen.weights) == 2
    for weights in seen.weights:
        assert weights.shape == (2, len(text), len(text))
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
        assert np.all(np.triu(weights, k=1) < 1e-6)  # nothing after the reading position
    # Its logits are the full network's: the odds after each piece, as the Inside page shows an LSTM's.
    full = trained_transformer.poem.network(np.asarray([trained_transformer.poem.tokenizer.encode(text).ids]))
    np.testing.assert_allclose(seen.logits, np.asarray(full)[0], atol=1e-4)
    assert len(attention_map(trained_transformer.poem, PRIME * 3).pieces) == CONTEXT
    with pytest.raises(ValueError, match="vocabulary"):
        attention_map(trained_transformer.poem, "\u2603\u2603")
    with pytest.raises(ValueError, match="attention"):  # the gates' trace says where to look instead
        trace(trained_transformer.poem, text)


def test_bundle_round_trip_gives_the_same_poems(trained_transformer, transformer_generator):
    data = bundle_bytes(trained_transformer.poem)
    loaded = load_bundle(data)
    assert loaded.config == trained_transformer.poem.config
    before = transformer_generator.generate(PRIME, [0.5, 1.0], length=60, seed=3)
    after = Generator(loaded).generate(PRIME, [0.5, 1.0], length=60, seed=3)
    assert [s.text for s in after.samples] == [s.text for s in before.samples]
    half = load_bundle(bundle_bytes(trained_transformer.poem, "float16"))
    assert half.network.get_weights()[0].dtype == np.float32


def _edited(data: bytes, **model) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(source.read("bundle.json"))
    document["model"].update(model)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bundle.json", json.dumps(document))
        archive.writestr("weights.npz", source.read("weights.npz"))
    return out.getvalue()


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"context": CONTEXT * 2}, "array w002.npy has shape"),
        ({"layers": 3}, "incomplete"),
        ({"heads": 3}, "multiple of heads"),
        ({"units": 2048, "layers": 8}, "too big"),
    ],
)
def test_a_bundle_whose_arrays_do_not_fit_its_description_is_refused(trained_transformer, change, fragment):
    with pytest.raises(BundleError, match=fragment):
        load_bundle(_edited(bundle_bytes(trained_transformer.poem), **change))


def test_fine_tuning_grows_the_tied_table_and_trains(trained_transformer):
    base = trained_transformer.poem
    verse = "[Quiet] the harbour sleeps; 1 lamp, 2 boats,\nand the tide turning home.\n" * 40
    vocabulary = adapt_vocabulary(base, verse)
    network = network_from_base(base, vocabulary.tokenizer.vocab_size)
    table, bias = network.get_layer("embedding").get_weights()
    old = base.tokenizer.vocab_size
    np.testing.assert_array_equal(table[:old], base.network.get_layer("embedding").get_weights()[0])
    np.testing.assert_allclose(
        table[old:], np.repeat(table[:old].mean(axis=0, keepdims=True), len(vocabulary.added), 0)
    )
    assert np.all(bias[old:] == bias[:old].min())
    tuned = train(verse, train_config=transformer_training(epochs=1, freeze_layers=1), init_from=base)
    assert tuned.poem.config == base.config and tuned.poem.info["base_model"]
    first_block = base.network.get_layer("block_1").get_weights()
    for mine, theirs in zip(tuned.poem.network.get_layer("block_1").get_weights(), first_block):
        np.testing.assert_array_equal(mine, theirs)  # frozen


def test_a_word_level_transformer_writes_words(ballads_text):
    result = train(ballads_text, tiny_transformer(level="word", max_words=200), transformer_training(epochs=1))
    sample = Generator(result.poem).generate("the", [1.0], length=30).samples[0]
    assert len(sample.pieces) == 30


def test_checkpoints_resume_a_transformer(small_text, tmp_path):
    settings = {"steps_per_epoch": 3, "checkpoint_dir": str(tmp_path)}
    first = train(small_text, tiny_transformer(), transformer_training(epochs=1, **settings))
    resumed = train(small_text, tiny_transformer(), transformer_training(epochs=2, **settings))
    assert [r.epoch for r in resumed.history] == [1, 2] and resumed.history[0] == first.history[0]
    assert load_bundle(tmp_path / "best.zip").config.cell == "transformer"


def test_the_deepest_transformer_a_bundle_may_describe_loads(trained_transformer):
    """Eight blocks are 101 weight arrays: more zip members than a recurrent bundle ever has."""
    from lstm_poem.network.model import PoemModel

    poem = trained_transformer.poem
    config = tiny_transformer(layers=8)
    deep = PoemModel(build_model(config, poem.tokenizer.vocab_size), poem.tokenizer, config, poem.info)
    loaded = load_bundle(bundle_bytes(deep))
    assert len(loaded.network.weights) == 5 + 12 * 8 and loaded.config == config

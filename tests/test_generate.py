import numpy as np
import pytest

from lstm_poem.checks import ConfigError
from lstm_poem.network.generate import PrimeError
from lstm_poem.network.numpy_writer import RecurrentWriter
from lstm_poem.network.sampling import entropy_bits, scale_by_temperature

PRIME = "The miller hung a lantern out\n"


@pytest.fixture(params=["compiled graph", "numpy"])
def writer(request, generator, trained):
    """Both ways of writing a recurrent model's poems: every behaviour below holds for each."""
    return generator if request.param == "compiled graph" else RecurrentWriter.from_poem(trained.poem)


def test_one_sample_per_temperature_with_probabilities(writer):
    result = writer.generate(PRIME, [0.0, 0.5, 1.0, 1.5], length=50, seed=1)
    assert [s.temperature for s in result.samples] == [0.0, 0.5, 1.0, 1.5]
    for sample in result.samples:
        assert len(sample.pieces) == len(sample.probs) == 50
        assert "".join(sample.pieces) == sample.text
        assert all(0.0 < p <= 1.0 for p in sample.probs)
        assert sample.perplexity == pytest.approx(np.exp(-np.mean(np.log(sample.probs))))
    assert result.prime == PRIME and result.unknown == []
    # Higher temperature, less typical text.
    assert result.samples[0].mean_logprob > result.samples[3].mean_logprob


def test_same_seed_same_text_and_greedy_ignores_seed(writer):
    a = writer.generate(PRIME, [0.0, 1.0], length=60, seed=5)
    b = writer.generate(PRIME, [0.0, 1.0], length=60, seed=5)
    c = writer.generate(PRIME, [0.0, 1.0], length=60, seed=6)
    assert [s.text for s in a.samples] == [s.text for s in b.samples]
    assert a.samples[0].text == c.samples[0].text
    assert a.samples[1].text != c.samples[1].text


def test_shared_noise_makes_each_column_independent_of_the_others(writer):
    alone = writer.generate(PRIME, [0.8], length=80, seed=3).samples[0].text
    together = writer.generate(PRIME, [0.3, 0.8, 1.4], length=80, seed=3).samples[1].text
    assert alone == together
    # With shared noise, equal temperatures give equal poems; independent noise does not.
    shared = writer.generate(PRIME, [1.0, 1.0], length=80, seed=3).samples
    independent = writer.generate(PRIME, [1.0, 1.0], length=80, seed=3, shared_noise=False).samples
    assert shared[0].text == shared[1].text
    assert independent[0].text != independent[1].text


def test_top_k_one_is_greedy_and_top_p_restricts(writer):
    greedy = writer.generate(PRIME, [0.0], length=40).samples[0].text
    assert writer.generate(PRIME, [1.5], length=40, top_k=1).samples[0].text == greedy
    assert writer.generate(PRIME, [1.5], length=40, top_p=0.01).samples[0].text == greedy
    wide = writer.generate(PRIME, [1.5], length=200, top_p=0.9, seed=2).samples[0]
    narrow = writer.generate(PRIME, [1.5], length=200, top_k=3, seed=2).samples[0]
    assert wide.text != narrow.text


def test_graph_is_traced_once_for_any_length_and_count(generator):
    generator.generate(PRIME, [0.5], length=10)
    before = generator._sample_graph.experimental_get_tracing_count()
    generator.generate("Another seed", [0.1, 0.2, 0.3, 0.4], length=77, top_k=5, top_p=0.5, shared_noise=False)
    generator.generate(PRIME, [1.0, 2.0], length=3)
    assert generator._sample_graph.experimental_get_tracing_count() == before


def test_unknown_seed_characters_are_reported_not_fatal(writer):
    result = writer.generate("The 🌊 miller§", [0.5], length=5)
    assert result.unknown == ["🌊", "§"]
    assert result.prime == "The  miller"


def test_seed_of_only_unknown_characters_is_a_clear_error(writer):
    with pytest.raises(PrimeError, match="None of the seed"):
        writer.generate("🌊🌊§§", [0.5], length=5)


def test_empty_seed_starts_a_new_poem(writer):
    result = writer.generate("", [0.0], length=5)
    assert result.prime == "\n" and len(result.samples[0].pieces) == 5


def test_long_seed_is_capped(writer):
    result = writer.generate("the mill " * 2000, [0.5], length=5)
    assert len(result.prime) <= 2000


@pytest.mark.parametrize(
    "kwargs", [{"temperatures": []}, {"temperatures": [-1.0]}, {"length": 0}, {"length": 10**7}, {"top_p": 0.0}]
)
def test_invalid_sampling_settings(writer, kwargs):
    with pytest.raises(ConfigError):
        writer.generate(PRIME, **{"temperatures": [1.0], **kwargs})


def test_next_token_odds_flatten_with_temperature(writer):
    odds = writer.next_token_odds(PRIME, [0.0, 0.5, 1.0, 2.0], top_n=5)
    assert odds.probs.shape == (4, 5) and len(odds.labels) == 5
    np.testing.assert_allclose(odds.probs.sum(axis=1) + odds.other, 1.0)
    assert odds.probs[0, 0] == 1.0 and odds.entropy_bits[0] == 0.0
    assert list(odds.entropy_bits) == sorted(odds.entropy_bits)  # hotter = flatter = more uncertain


def test_temperature_helpers():
    logits = np.array([2.0, 1.0, 0.0])
    assert scale_by_temperature(logits, 1.0).sum() == pytest.approx(1.0)
    assert entropy_bits(scale_by_temperature(logits, 100.0)) == pytest.approx(np.log2(3), abs=1e-3)


def test_the_uniform_draw_picks_each_token_as_often_as_its_probability():
    import tensorflow as tf

    from lstm_poem.network.sampling import choose

    logits = np.array([2.0, 1.0, 0.5, 0.0, -1.0, -3.0], dtype=np.float32)
    draws = np.random.default_rng(0).random(40_000, dtype=np.float32)
    for temperature in (0.5, 1.0, 1.5):
        rows = tf.constant(np.tile(logits, (len(draws), 1)))
        picks = choose(rows, tf.fill([len(draws)], temperature), tf.constant(draws), None, None).numpy()
        seen = np.bincount(picks, minlength=len(logits)) / len(draws)
        np.testing.assert_allclose(seen, scale_by_temperature(logits, temperature), atol=0.01)
    # Likeliest first: the smallest draws take the favourite, the largest the rarest token.
    two_rows = tf.constant(np.tile(logits, (2, 1)))
    assert choose(two_rows, tf.constant([1.0, 1.0]), tf.constant([0.0, 0.9999]), None, None).numpy().tolist() == [0, 5]

"""The NumPy writer writes what the compiled sampler writes, without TensorFlow (network/numpy_writer.py)."""

import subprocess
import sys

import numpy as np
import pytest
from repo_paths import ROOT

from conftest import tiny_model_config
from lstm_poem.files.bundle import read_bundle
from lstm_poem.files.pretrained import PRETRAINED_DIR
from lstm_poem.network.numpy_writer import RecurrentWriter, stateless_uniforms

PRIME = "The miller hung a lantern out\n"
SETTINGS = [
    {},
    {"top_k": 4},
    {"top_p": 0.8},
    {"shared_noise": False},
    {"seed": 2**40 + 7, "temperatures": [0.0, 0.4, 1.0, 1.7, 3.0]},
]


def test_the_draws_are_tensorflows_stateless_uniforms_bit_for_bit():
    import tensorflow as tf

    for seed, rows in [(42, 1), (42, 3), (0, 4), (2**31 - 1, 5), (123456, 16)]:
        ours = stateless_uniforms(seed, 300, rows)
        assert ours.shape == (300, rows) and ours.dtype == np.float32
        for step in (0, 1, 17, 299):
            theirs = tf.random.stateless_uniform([rows], seed=tf.constant([seed, step], tf.int32)).numpy()
            np.testing.assert_array_equal(ours[step], theirs)


def _both(poem):
    from lstm_poem.network.generate import Generator

    return Generator(poem), RecurrentWriter.from_poem(poem)


def _same_poems(compiled, numpy_writer, prime=PRIME, length=60):
    for settings in SETTINGS:
        kwargs = {"temperatures": [0.5, 1.0, 1.5], "length": length, "seed": 3, **settings}
        expected, written = compiled.generate(prime, **kwargs), numpy_writer.generate(prime, **kwargs)
        assert [s.text for s in written.samples] == [s.text for s in expected.samples], settings
        for ours, theirs in zip(written.samples, expected.samples):
            np.testing.assert_allclose(ours.probs, theirs.probs, rtol=1e-4, atol=1e-6)
        assert (written.prime, written.unknown) == (expected.prime, expected.unknown)
    expected = compiled.next_token_odds(prime, [0.5, 1.0])
    odds = numpy_writer.next_token_odds(prime, [0.5, 1.0])
    assert odds.labels == expected.labels
    np.testing.assert_allclose(odds.probs, expected.probs, atol=1e-5)


# Untrained weights, scaled so the odds are far from even and every gate matters; not a plain RNN's, though: at
# three times its weights it is chaotic, and the last bit of a float32 sets its poem apart within a few steps.
@pytest.mark.parametrize("cell, layers, scale", [("lstm", 2, 3.0), ("gru", 2, 3.0), ("rnn", 1, 1.0)])
def test_every_recurrent_cell_writes_what_the_compiled_sampler_writes(small_text, cell, layers, scale):
    from lstm_poem.network.model import PoemModel, build_model
    from lstm_poem.text.tokenizer import CharTokenizer

    tokenizer = CharTokenizer.fit(small_text)
    config = tiny_model_config(cell=cell, layers=layers)
    network = build_model(config, tokenizer.vocab_size)
    network.set_weights([w * scale for w in network.get_weights()])
    _same_poems(*_both(PoemModel(network, tokenizer, config)))


def test_a_trained_model_and_a_word_level_model_write_alike(trained):
    from lstm_poem.files.bundle import build_poem

    _same_poems(*_both(trained.poem))
    words = build_poem(read_bundle(PRETRAINED_DIR / "verse_words.zip"))
    _same_poems(*_both(words), prime="the wind in the", length=30)


def test_a_pretrained_model_writes_with_no_tensorflow_imported(tmp_path):
    """The start page's poems and the command line need no TensorFlow for a recurrent model."""
    script = (
        "import sys\n"
        "from lstm_poem.command_line.cli import main\n"
        "from lstm_poem.files.bundle import read_bundle\n"
        f"writer = read_bundle({str(PRETRAINED_DIR / 'frost.zip')!r}).writer()\n"
        "poems = writer.generate('Whose woods these are', [0.5, 1.0], length=40)\n"
        "assert all(len(s.pieces) == 40 for s in poems.samples)\n"
        f"assert main(['generate', {str(PRETRAINED_DIR / 'frost.zip')!r}, '--length', '30', '--json']) == 0\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False False"


def test_a_transformer_keeps_the_compiled_sampler():
    from lstm_poem.network.generate import Generator

    writer = read_bundle(PRETRAINED_DIR / "transformer_frost.zip").writer()
    assert isinstance(writer, Generator)
    with pytest.raises(ValueError, match="Transformer"):
        RecurrentWriter(writer.poem.config, writer.poem.tokenizer, writer.poem.network.get_weights())


def test_weights_that_do_not_fit_are_refused(trained):
    weights = trained.poem.network.get_weights()
    with pytest.raises(ValueError, match="do not fit"):
        RecurrentWriter(trained.poem.config, trained.poem.tokenizer, weights[:-1])


def test_numpy_products_run_on_one_thread():
    from threadpoolctl import threadpool_info

    from lstm_poem import limits

    limits.set_tensorflow_defaults()
    blas = [library for library in threadpool_info() if library["user_api"] == "blas"]
    assert blas and all(library["num_threads"] == 1 for library in blas)

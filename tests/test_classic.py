"""The classic notebook's network, turned into an engine model, computes what it computed."""

import numpy as np

from lstm_poem.network.classic import SEQ_LEN, STEP, as_engine_network, classic_network, classic_windows, one_hot


def test_windows_start_every_step_and_target_the_next_token():
    ids = np.arange(SEQ_LEN + 2 * STEP + 1, dtype=np.int32) % 7
    x, y = classic_windows(ids, vocab=7)
    assert x.shape == (3, SEQ_LEN, 7) and x.dtype == np.float32
    assert np.array_equal(x[1].argmax(axis=-1), ids[STEP : STEP + SEQ_LEN]) and y[1] == ids[STEP + SEQ_LEN]
    held_x, held_y = classic_windows(ids, vocab=7, step=1)
    assert len(held_x) == len(held_y) == len(ids) - SEQ_LEN


def test_the_engine_copy_gives_the_classic_network_s_next_token_logits():
    vocab = 6
    classic = classic_network(vocab)
    window = np.random.default_rng(0).integers(0, vocab, SEQ_LEN)
    expected = np.asarray(classic(one_hot(window, vocab)[None]))[0]
    config, network = as_engine_network(classic, vocab)
    assert config.embedding == vocab and config.units == 128
    got = np.asarray(network(window[None].astype(np.int32)))[0, -1]
    np.testing.assert_allclose(got, expected, atol=1e-5)

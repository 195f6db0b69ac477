"""Both backends behind the one seam, the Ray one against a real local cluster (never mocked).

Every behaviour test runs once with threads in this process and once with a
Ray actor per training on the session's two-CPU loopback cluster. Without Ray
installed the Ray half skips and says why.
"""

from __future__ import annotations

import pytest
from test_browser import wait_until

from conftest import ray_missing, tiny_model_config, tiny_train_config
from lstm_poem.checks import ConfigError
from lstm_poem.running.backend import RayConfig, ThreadBackend, TrainingRequest
from lstm_poem.text.corpus import corpus_from_text

# Each Ray training starts a process that imports TensorFlow: seconds to its first batch, not milliseconds.
STARTUP = 120
needs_ray = [pytest.mark.skipif(ray_missing() is not None, reason=ray_missing() or ""), pytest.mark.slow]


@pytest.fixture(params=["threads", pytest.param("ray", marks=needs_ray)])
def backend(request):
    if request.param == "threads":
        return ThreadBackend()
    from lstm_poem.running.ray_backend import RayBackend

    return RayBackend(RayConfig(request.getfixturevalue("ray_cluster").address))


def request(text: str, name: str = "pasted text", **settings) -> TrainingRequest:
    return TrainingRequest(corpus_from_text(text, name=name), tiny_model_config(), tiny_train_config(**settings))


def long_training(backend, text: str, **settings):
    """A training of 500 epochs, once its first batch has been reported."""
    job = backend.submit(request(text, epochs=500, **settings))
    wait_until(lambda: job.snapshot().batches, seconds=STARTUP)
    return job


def test_progress_arrives_live_and_stop_keeps_the_best_weights_which_write_poems(backend, small_text):
    job = backend.submit(request(small_text, epochs=500, sample_length=30))
    wait_until(lambda: len(job.snapshot().epochs) >= 2, seconds=STARTUP)  # a snapshot never waits for the cluster
    live = job.snapshot()
    assert live.state == "running" and live.epochs[-1].sample and live.last_batch.epoch >= 2
    job.stop()
    assert job.join(timeout=60)
    snapshot = job.snapshot()
    assert snapshot.state == "done" and snapshot.stop_requested and snapshot.error is None, snapshot.error
    result = snapshot.result
    assert result.stop_reason == "user_stop" and 2 <= result.epochs_run < 500
    assert [record.epoch for record in snapshot.epochs] == list(range(1, result.epochs_run + 1))
    assert result.history == list(snapshot.epochs)  # the last records arrived too
    assert result.poem.info["metrics"]["best_val_loss"] == result.best_val_loss
    assert result.poem.info["corpus"]["chars"] == corpus_from_text(small_text).n_chars

    from lstm_poem.network.generate import Generator

    poem = Generator(result.poem).generate("The sea ", [0.0, 1.0], 40, seed=1)
    assert [len(sample.text) for sample in poem.samples] == [40, 40]


def test_cancel_drops_the_training(backend, small_text):
    job = long_training(backend, small_text)
    job.cancel()
    assert job.join(timeout=30)
    snapshot = job.snapshot()
    assert snapshot.state == "cancelled" and snapshot.result is None and "Cancelled" in snapshot.error


def test_a_failing_training_reports_why(backend):
    job = backend.submit(request("Too short.\n", seq_len=64))
    assert job.join(timeout=60)
    snapshot = job.snapshot()
    assert snapshot.state == "failed" and "too short" in snapshot.error and snapshot.result is None


def test_two_sessions_train_at_the_same_time(backend, small_text):
    texts = [small_text, small_text[::-1]]  # two students, two texts
    jobs = [backend.submit(request(text, name=f"student {n}", epochs=2)) for n, text in enumerate(texts)]
    both_running = False
    while not all(job.join(timeout=0.1) for job in jobs):
        both_running = both_running or all(job.snapshot().state == "running" for job in jobs)
    assert both_running
    for n, job in enumerate(jobs):
        snapshot = job.snapshot()
        assert snapshot.state == "done", snapshot.error
        assert snapshot.result.poem.info["corpus"]["name"] == f"student {n}"


def test_ray_settings_are_validated(monkeypatch):
    with pytest.raises(ConfigError):
        RayConfig(address=" ")
    with pytest.raises(ConfigError):
        RayConfig(address="auto", cpus_per_training=0)
    monkeypatch.delenv("LSTM_POEM_RAY_ADDRESS", raising=False)
    assert RayConfig.from_environment() is None
    monkeypatch.setenv("LSTM_POEM_RAY_ADDRESS", "127.0.0.1:6379")
    monkeypatch.setenv("LSTM_POEM_RAY_CPUS_PER_TRAINING", "2")
    assert RayConfig.from_environment() == RayConfig("127.0.0.1:6379", cpus_per_training=2, tf_threads=2)
    monkeypatch.setenv("LSTM_POEM_RAY_CPUS_PER_TRAINING", "two")
    with pytest.raises(ConfigError, match="LSTM_POEM_RAY_CPUS_PER_TRAINING"):
        RayConfig.from_environment()

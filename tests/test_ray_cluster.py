"""The Ray backend on a real two-CPU loopback cluster: what only a cluster does.

Cancel ends the actor's process, a training over the cluster's CPUs waits for
it, and a training whose process dies says so while the server goes on.
Skipped, with the reason, without Ray; slow (each actor imports TensorFlow).
"""

from __future__ import annotations

import threading

import pytest
from test_backends import STARTUP
from test_browser import wait_until

from conftest import ray_missing, tiny_model_config, tiny_train_config
from lstm_poem.backend import RayConfig
from lstm_poem.corpus import corpus_from_text

pytestmark = [pytest.mark.skipif(ray_missing() is not None, reason=ray_missing() or ""), pytest.mark.slow]


def test_cancel_ends_the_actor_process_and_frees_its_cpu(ray_cluster, small_text):
    import ray

    from lstm_poem.ray_backend import RayBackend

    job = RayBackend(RayConfig(ray_cluster.address)).submit(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=500)
    )
    wait_until(lambda: job.snapshot().batches, seconds=STARTUP)
    assert ray.available_resources().get("CPU", 0) < 2
    job.cancel()
    assert job.join(timeout=30)
    wait_until(lambda: ray.available_resources().get("CPU", 0) == 2, seconds=30)


def test_over_the_clusters_cpus_a_training_waits_for_the_cluster(ray_cluster, small_text):
    from lstm_poem.ray_backend import RayBackend

    backend = RayBackend(RayConfig(ray_cluster.address, cpus_per_training=2))  # one training fills the cluster
    corpus = corpus_from_text(small_text)
    first = backend.submit(corpus, tiny_model_config(), tiny_train_config(epochs=500))
    wait_until(lambda: first.snapshot().batches, seconds=STARTUP)
    waiting = backend.submit(corpus, tiny_model_config(), tiny_train_config(epochs=1))
    given_up = backend.submit(corpus, tiny_model_config(), tiny_train_config(epochs=1))
    wait_until(lambda: waiting.snapshot().cluster_cpus == 2)
    threading.Event().wait(1.0)
    assert waiting.snapshot().state == "queued" and waiting.snapshot().running
    given_up.stop()
    assert given_up.join(timeout=10)
    assert given_up.snapshot().state == "cancelled" and given_up.snapshot().error == "Stopped before it started."
    first.stop()
    assert waiting.join(timeout=120) and first.join(timeout=10)
    assert waiting.snapshot().state == "done", waiting.snapshot().error


def test_a_training_whose_process_dies_says_so_and_the_server_goes_on(ray_cluster, small_text):
    import ray

    from lstm_poem.ray_backend import RayBackend

    backend = RayBackend(RayConfig(ray_cluster.address))
    job = backend.submit(corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=500))
    wait_until(lambda: job.snapshot().epochs, seconds=STARTUP)
    ray.kill(job.actor)  # what a node's crash or a machine switched off looks like from here
    assert job.join(timeout=30)
    snapshot = job.snapshot()
    assert snapshot.state == "failed" and "lost this training after" in snapshot.error
    again = backend.submit(corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=1))
    assert again.join(timeout=120) and again.snapshot().state == "done", again.snapshot().error

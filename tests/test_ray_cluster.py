"""The Ray backend on a real two-CPU loopback cluster: what only a cluster does.

Cancel ends the actor's process, a training over the cluster's CPUs waits for
it, and a training whose process dies, or whose whole cluster goes away, says
so while the server goes on.
Skipped, with the reason, without Ray; slow (each actor imports TensorFlow).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from test_backends import long_training, request
from test_browser import wait_until

from conftest import ROOT, ray_missing
from lstm_poem.running.backend import RayConfig

pytestmark = [pytest.mark.skipif(ray_missing() is not None, reason=ray_missing() or ""), pytest.mark.slow]


def test_cancel_ends_the_actor_process_and_frees_its_cpu(ray_cluster, small_text):
    import ray

    from lstm_poem.running.ray_backend import RayBackend

    job = long_training(RayBackend(RayConfig(ray_cluster.address)), small_text)
    assert ray.available_resources().get("CPU", 0) < 2
    job.cancel()
    assert job.join(timeout=30)
    wait_until(lambda: ray.available_resources().get("CPU", 0) == 2, seconds=30)


def test_over_the_clusters_cpus_a_training_waits_for_the_cluster(ray_cluster, small_text):
    from lstm_poem.running.ray_backend import RayBackend

    backend = RayBackend(RayConfig(ray_cluster.address, cpus_per_training=2))  # one training fills the cluster
    first = long_training(backend, small_text)
    waiting = backend.submit(request(small_text, epochs=1))
    given_up = backend.submit(request(small_text, epochs=1))
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

    from lstm_poem.running.ray_backend import RayBackend

    backend = RayBackend(RayConfig(ray_cluster.address))
    job = long_training(backend, small_text)
    ray.kill(job.actor)  # what a node's crash or a machine switched off looks like from here
    assert job.join(timeout=30)
    snapshot = job.snapshot()
    assert snapshot.state == "failed" and "lost this training after" in snapshot.error
    again = backend.submit(request(small_text, epochs=1))
    assert again.join(timeout=120) and again.snapshot().state == "done", again.snapshot().error


LOSE_THE_CLUSTER = """
from conftest import BALLADS
from lstm_poem.running.backend import RayConfig
from lstm_poem.running.ray_backend import RayBackend
from lstm_poem.running.ray_local import LocalCluster
from test_backends import long_training, request

text = BALLADS.read_text()[:4000]
with LocalCluster(num_cpus=1) as cluster:
    # Early stopping must not end it first (on a quiet machine it did): only losing the cluster can.
    job = long_training(RayBackend(RayConfig(cluster.address, lost_after=5)), text, patience=500)
# The whole cluster has gone away, mid-training.
job.join(timeout=60)
print("LOST", job.snapshot().state, job.snapshot().error, flush=True)
with LocalCluster(num_cpus=1) as cluster:  # back again: the next training connects afresh
    job = RayBackend(RayConfig(cluster.address)).submit(request(text, epochs=1))
    job.join(timeout=120)
    print("AGAIN", job.snapshot().state, job.snapshot().error, flush=True)
"""


def test_when_the_whole_cluster_goes_away_the_student_is_told_and_the_next_training_reconnects():
    # Its own driver process, with its own clusters: the session's connection stays untouched.
    out = subprocess.run(
        [sys.executable, "-c", LOSE_THE_CLUSTER],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=ROOT / "tests",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith(("LOST", "AGAIN"))]
    assert out.returncode == 0 and len(lines) == 2, out.stdout + out.stderr[-3000:]
    # Which of the two Ray notices first is a race, and both are true: the head stopped answering, or the
    # actor's worker process went down with it.
    assert lines[0].startswith("LOST failed")
    assert "has not answered for 5 seconds" in lines[0] or "its process or machine stopped" in lines[0], lines[0]
    assert "Models you already trained are kept" in lines[0]
    assert lines[1] == "AGAIN done None"

"""Shared fixtures: tiny texts and one tiny trained model, so the suite stays fast."""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

import pytest
from repo_paths import BALLADS, ROOT, SHARED_CORPORA

__all__ = ["BALLADS", "ROOT", "SHARED_CORPORA"]  # the tests import them from here

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def tiny_model_config(**overrides):
    from lstm_poem.network.model import ModelConfig

    settings = {"units": 32, "embedding": 16, "dropout": 0.0}
    settings.update(overrides)
    return ModelConfig(**settings)


def tiny_train_config(**overrides):
    from lstm_poem.training.train_config import TrainConfig

    settings = {"seq_len": 32, "batch_size": 32, "epochs": 3, "patience": 5, "learning_rate": 0.01}
    settings.update(overrides)
    return TrainConfig(**settings)


@pytest.fixture(scope="session")
def ballads_text() -> str:
    return BALLADS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def small_text(ballads_text) -> str:
    """About 4 KB of the project's own verse: enough for a few windows."""
    return ballads_text[:4000]


@pytest.fixture(scope="session")
def trained(small_text):
    """A tiny char-level LSTM trained for two epochs (shared by many tests; never mutate it)."""
    from lstm_poem.training.train import train

    return train(small_text, tiny_model_config(), tiny_train_config(epochs=2))


@pytest.fixture(scope="session")
def good_bytes(trained) -> bytes:
    """The tiny trained model as bundle bytes (the start of every hostile-bundle test)."""
    from lstm_poem.files.bundle import bundle_bytes

    return bundle_bytes(trained.poem)


@pytest.fixture(scope="session")
def generator(trained):
    from lstm_poem.network.generate import Generator

    return Generator(trained.poem)


def shared_corpus(name: str) -> Path:
    """A public-domain text from ../shared/corpora, or skip the test when it is absent."""
    path = SHARED_CORPORA / name
    if not path.is_file():
        pytest.skip(f"{path} is not available on this machine")
    return path


@pytest.fixture(scope="session")
def corpus_server():
    """Base URL of a local HTTP server with good and misbehaving corpus files (see ``corpus_server.py``)."""
    from corpus_server import serve

    with serve() as url:
        yield url


def ray_missing() -> str | None:
    """Why the Ray tests cannot run here, or None."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        return "Ray is not installed (pip install -r requirements-ray.txt)"
    return None


@pytest.fixture(scope="session")
def ray_cluster():
    """A real two-CPU Ray cluster on loopback for the whole session; this process is its driver.

    Only this cluster's processes are ended at the end, never anyone else's.
    """
    missing = ray_missing()
    if missing:
        pytest.skip(missing)
    from lstm_poem.running.ray_local import LocalCluster

    # This process is the cluster's driver and must stay on loopback too. Ray reads the variable when it is
    # first imported, and a test may import ray before the backend would set it (run alone, the first
    # tests of test_ray_cluster.py then talked to the machine's interface address and never got a batch).
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

    with LocalCluster(num_cpus=2) as cluster:
        try:
            yield cluster
        finally:
            import ray

            ray.shutdown()


def pytest_collection_modifyitems(config, items):
    """For pytest-xdist's ``--dist loadgroup`` (``./run test`` runs two workers): a test that uses a fixture
    made once per module (a served app, a browser, a trained model) goes to the worker that runs the rest of
    its module, so that fixture is made once; every test on the Ray cluster goes to one worker, so one
    cluster starts. The others are shared out one by one."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if "ray_cluster" in item.fixturenames:
            group = "ray cluster"
        elif any(defs[-1].scope == "module" for defs in info.name2fixturedefs.values() if defs):
            group = item.nodeid.split("::")[0]
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(autouse=True)
def _alone_or_beside_others(request):
    """Under pytest-xdist, a test marked ``alone`` (it compares trainings run at once with one run alone, so it
    needs both cores) waits until no other worker runs a test, and holds them off while it runs: a lock file
    the workers share, taken exclusively by it and shared by every other test."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    lock = Path(tempfile.gettempdir()) / f"lstm-poem-tests-{os.getppid()}.lock"  # the workers' one parent
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if request.node.get_closest_marker("alone") else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

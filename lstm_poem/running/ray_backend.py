"""Trainings on a Ray cluster: one actor (one process) per training, scheduled by free CPUs.

The app server is a Ray driver. Each training gets an actor from
:mod:`lstm_poem.running.ray_worker` with ``max_concurrency=2``: one call runs the whole
training, the other fetches its progress records or asks it to stop. A thread
in the server (the job's own thread, as for the thread backend) does that
fetching every half second, so a page's snapshot never waits for the network.

Ray has no cap of its own here: an actor waits until a node has
``cpus_per_training`` CPUs free, and the page says it waits for the cluster.
Importing this module does not import Ray; :func:`connect` does.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from lstm_poem.running.backend import RayConfig, TrainingRequest
from lstm_poem.running.job import TrainingJob, score_for_table
from lstm_poem.running.payload import record_from_dict

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # lstm_poem itself, shipped to the actors
# A Ray driver exits its whole process when the cluster's head has been gone for a minute; here
# the driver is the app server, which must outlive any cluster. Read when Ray connects.
_RECONNECT_VARIABLE = "RAY_gcs_rpc_server_reconnect_timeout_s"

_connection_lock = threading.Lock()
_connection: dict[str, Any] = {"address": None, "lost": False}


class ClusterError(RuntimeError):
    """The cluster cannot be reached or used; the message says so in plain words."""


def connect(config: RayConfig):
    """The ``ray`` module, connected to the configured cluster (once per server process)."""
    with _connection_lock:
        if is_loopback(config.address):
            # Read when Ray is first imported: without it Ray swaps 127.0.0.1 for this machine's interface
            # address and talks to that.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:
            import ray
        except ImportError:
            raise ClusterError(
                "Ray is not installed on this server (pip install -r requirements-ray.txt), so it cannot "
                "send trainings to a cluster."
            ) from None
        if ray.is_initialized() and (_connection["lost"] or _connection["address"] != config.address):
            ray.shutdown()  # a cluster that went away, or another address: start over
        if not ray.is_initialized():
            os.environ.setdefault(_RECONNECT_VARIABLE, str(10**7))
            try:
                ray.init(
                    address=config.address,
                    namespace="lstm-poem",
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                    # The engine travels with the job, so worker nodes need only the requirements installed.
                    runtime_env={"py_modules": [str(PACKAGE_DIR)], "excludes": ["__pycache__"]},
                )
            except Exception as err:  # noqa: BLE001 - ConnectionError, RuntimeError, ValueError… all mean "not there"
                raise ClusterError(f"Cannot reach the training cluster at {config.address} ({err}).") from None
            _connection.update(address=config.address, lost=False)
        return ray


def is_loopback(address: str) -> bool:
    host = address.removeprefix("ray://").rsplit(":", 1)[0]
    return host == "localhost" or host.startswith("127.")


def mark_lost() -> None:
    """Remember that the cluster went away, so the next training connects afresh. Not for one lost
    actor: reconnecting would end every other training this server has on the cluster."""
    with _connection_lock:
        _connection["lost"] = True


def cluster_cpus(ray) -> int:
    return int(ray.cluster_resources().get("CPU", 0))


def _actor_options(config: RayConfig) -> dict[str, Any]:
    threads = str(config.tf_threads)
    return {
        "num_cpus": config.cpus_per_training,
        "max_concurrency": 2,  # train() on one thread; progress() and stop() on the other
        "max_restarts": 0,  # a restarted actor would have lost its training anyway
        "runtime_env": {
            "env_vars": {
                "TF_NUM_INTRAOP_THREADS": threads,
                "TF_NUM_INTEROP_THREADS": threads,
                "TF_CPP_MIN_LOG_LEVEL": "2",
            }
        },
    }


class RayBackend:
    """Submit each training as a Ray actor on the cluster at ``config.address``."""

    def __init__(self, config: RayConfig):
        self.config = config

    def submit(self, request: TrainingRequest) -> RayTrainingJob:
        return RayTrainingJob(request, self.config).start()


class RayTrainingJob(TrainingJob):
    """A :class:`TrainingJob` whose thread watches an actor instead of training itself.

    Snapshots, records and the abandoned-tab rule are the thread backend's; only
    :meth:`_run` differs. ``cancel()`` kills the actor's process at once.
    """

    def __init__(self, request: TrainingRequest, config: RayConfig):
        super().__init__(
            request.corpus,
            request.model_config,
            request.train_config,
            init_from=request.init_from,
            abandon_after=request.abandon_after,
        )
        self.config = config
        self._cpus: int | None = None
        self.actor = None  # the Ray actor handle, once submitted

    def _cluster_cpus(self) -> int | None:
        return self._cpus or 0  # 0 until connected: still "the cluster", not this server

    def _run(self) -> None:
        with self._lock:
            self._state = "queued"
        try:
            ray = connect(self.config)
            cpus = cluster_cpus(ray)
        except ClusterError as err:
            self._finish("failed", error=f"{err} Your other models are kept.")
            return
        with self._lock:
            self._cpus = cpus
        base = None
        if self.init_from is not None:
            from lstm_poem.files.bundle import bundle_bytes

            base = bundle_bytes(self.init_from)
        from lstm_poem.running.ray_worker import TrainingWorker

        actor = self.actor = ray.remote(TrainingWorker).options(**_actor_options(self.config)).remote()
        done = actor.train.remote(
            self.corpus.text, self.corpus.name, self.model_config.to_dict(), self.train_config.to_dict(), base
        )
        try:
            self._watch(ray, actor, done)
        except Exception as err:  # noqa: BLE001 - whatever Ray raises, the student gets a message
            log.exception("a Ray training failed")
            self._finish("failed", error=f"Training on the cluster failed unexpectedly ({type(err).__name__}: {err}).")
        finally:
            try:
                ray.kill(actor, no_restart=True)  # frees its process and memory at once
            except Exception:  # noqa: BLE001 - already gone with its cluster
                log.info("could not kill a finished training's actor", exc_info=True)

    def _watch(self, ray, actor, done) -> None:
        from ray.exceptions import ActorUnavailableError, RayActorError

        asked = None  # the progress call in flight: never more than one
        started = stop_sent = False
        last_answer = time.monotonic()
        while True:
            if self._cancel.is_set():
                self._finish("cancelled")
                return
            if self._nobody_watching() or self._stop.is_set():
                if not started:
                    self._finish("cancelled", error="Stopped before it started.")
                    return
                if not stop_sent:
                    actor.stop.remote()
                    stop_sent = True
            # A queued actor answers nothing until it is placed; a running one answers every poll.
            if started and time.monotonic() - last_answer > self.config.lost_after:
                mark_lost()  # the whole cluster, most likely: the next training connects afresh
                self._lost(f"the cluster has not answered for {self.config.lost_after:.0f} seconds")
                return
            if asked is None:
                asked = actor.progress.remote()
            ready, _ = ray.wait([asked], timeout=POLL_SECONDS)
            if not ready:
                continue
            try:
                reply = ray.get(asked)
                last_answer = time.monotonic()
            except ActorUnavailableError:  # its node or the head may come back: give it a while
                time.sleep(POLL_SECONDS)
                continue
            except RayActorError:
                if not self._cancel.is_set():
                    self._lost("its process or machine stopped")
                return
            finally:
                asked = None
            if reply["started"] and not started:
                started = True
                with self._lock:
                    self._state = "running"
                    self._started = time.perf_counter()
            for record in reply["records"]:
                self._record(record_from_dict(record))
            if ray.wait([done], timeout=0)[0]:
                try:
                    outcome, last = ray.get(done), ray.get(actor.progress.remote())
                except RayActorError:  # it died between two polls
                    self._lost("its process or machine stopped")
                    return
                self._finish_with(outcome, last)
                return

    def _finish_with(self, outcome: dict[str, Any], last: dict[str, Any]) -> None:
        from lstm_poem.files.bundle import BundleError
        from lstm_poem.running.payload import result_from_payload

        for record in last["records"]:
            self._record(record_from_dict(record))
        if "error" in outcome:
            self._finish("failed", error=outcome["error"])
            return
        try:
            result = result_from_payload(outcome["result"], self.train_config)
        except BundleError as err:
            self._finish("failed", error=f"The cluster sent back a model this server cannot open: {err}")
            return
        score_for_table(result, self.corpus)  # on this job's own thread, once for everyone seated at it
        self._finish("done", result=result)

    def _lost(self, why: str) -> None:
        with self._lock:
            epochs = len(self._epochs)
        self._finish(
            "failed",
            error=f"The training cluster lost this training after {epochs} epochs ({why}). Models you already "
            "trained are kept; press Train to try again once the cluster is back.",
        )

"""Six Quick-demo trainings through each backend, side by side in one run.

A class presses Train together: six trainings are submitted at once, first to
the thread backend (two at a time in this process, the server's default cap),
then to a Ray cluster started here on loopback with as many CPUs as the thread
cap (one actor per training, one CPU each). Both use the sample ballads, the
same seeds and one TensorFlow thread per training. Reported per backend:
makespan, each training's epochs and seconds, and for Ray its overhead: the
cluster's start-up, connecting, each actor's start (submit -> first batch,
against the thread backend's) and the cost of one progress poll (a round trip
to an idle actor; the job's thread makes two a second, and a page's snapshot
stays local for both backends).

Usage (from the repo root; needs ``pip install -r requirements-ray.txt``)::

    python bench/backends.py [--trainings 6] [--cpus 2] [--json backends.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.running.backend import RayConfig, ThreadBackend, TrainingBackend, TrainingRequest  # noqa: E402
from lstm_poem.running.ray_local import LocalCluster  # noqa: E402
from lstm_poem.text.corpus import catalog  # noqa: E402
from lstm_poem.training.presets import PRESETS  # noqa: E402

POLLS = 200


def run_class(backend: TrainingBackend, trainings: int) -> dict:
    """Submit ``trainings`` Quick demos at once, poll them like pages do, and time them."""
    preset = PRESETS["Quick demo"]
    corpus = next(entry for entry in catalog() if entry.name == "ballads").load()
    start = time.perf_counter()
    request = TrainingRequest(corpus, preset.model, preset.training, abandon_after=None)
    jobs = [backend.submit(request) for _ in range(trainings)]
    first_record: list[float | None] = [None] * trainings
    while not all(job.join(timeout=0.05) for job in jobs):
        for n, job in enumerate(jobs):
            if first_record[n] is None and job.snapshot().batches:
                first_record[n] = time.perf_counter() - start
    makespan = time.perf_counter() - start
    load = os.getloadavg()[0]  # this machine is shared: say how busy it was
    results = []
    for job in jobs:
        snapshot = job.snapshot()
        if snapshot.state != "done":
            raise SystemExit(f"a training ended {snapshot.state}: {snapshot.error}")
        results.append(snapshot.result)
    return {
        "makespan_s": round(makespan, 1),
        "load_average_1min_at_end": round(load, 1),
        "epochs": [result.epochs_run for result in results],
        "training_s": [round(result.seconds, 1) for result in results],
        "best_val_loss": [round(result.best_val_loss, 3) for result in results],
        "stop_reasons": sorted({result.stop_reason for result in results}),
        "median_epoch_s": round(statistics.median(result.seconds / result.epochs_run for result in results), 2),
        # The first two start at once; the time to their first batch is start-up, not queueing.
        "first_batch_s": round(min(t for t in first_record if t is not None), 2),
    }


def ray_poll_cost(ray) -> float:
    """Milliseconds for one progress round trip to an idle actor (what the job's thread does twice a second)."""
    from lstm_poem.running.ray_backend import _actor_options
    from lstm_poem.running.ray_worker import TrainingWorker

    actor = ray.remote(TrainingWorker).options(**_actor_options(RayConfig("auto"))).remote()
    ray.get(actor.progress.remote())
    start = time.perf_counter()
    for _ in range(POLLS):
        ray.get(actor.progress.remote())
    cost = (time.perf_counter() - start) / POLLS * 1e3
    ray.kill(actor)
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainings", type=int, default=6)
    parser.add_argument("--cpus", type=int, default=limits.MAX_CONCURRENT_TRAININGS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    report: dict = {"trainings": args.trainings, "cpus": args.cpus}
    import keras  # noqa: F401 - a server has TensorFlow loaded already; only an actor pays for importing it

    print(f"threads: {args.trainings} Quick demos, {limits.MAX_CONCURRENT_TRAININGS} at a time…", file=sys.stderr)
    report["threads"] = run_class(ThreadBackend(), args.trainings)

    started = time.perf_counter()
    with LocalCluster(num_cpus=args.cpus) as cluster:
        report["ray_cluster_start_s"] = round(time.perf_counter() - started, 1)
        from lstm_poem.running.ray_backend import RayBackend, connect

        config = RayConfig(cluster.address)
        started = time.perf_counter()
        ray = connect(config)
        report["ray_connect_s"] = round(time.perf_counter() - started, 2)
        print(f"ray: the same {args.trainings}, one actor each on {args.cpus} CPUs…", file=sys.stderr)
        report["ray"] = run_class(RayBackend(config), args.trainings)
        report["ray_poll_ms"] = round(ray_poll_cost(ray), 3)
        ray.shutdown()

    threads, cluster_run = report["threads"], report["ray"]
    report["makespan_ratio_ray_to_threads"] = round(cluster_run["makespan_s"] / threads["makespan_s"], 3)
    report["first_batch_extra_s"] = round(cluster_run["first_batch_s"] - threads["first_batch_s"], 2)
    for name in ("threads", "ray"):
        run = report[name]
        print(
            f"{name:8s} makespan {run['makespan_s']:6.1f} s · epochs {run['epochs']} "
            f"(median {statistics.median(run['epochs'])}, {run['median_epoch_s']} s each, ended by "
            f"{', '.join(run['stop_reasons'])}) · first batch after {run['first_batch_s']} s"
        )
    print(
        f"ray/threads makespan {report['makespan_ratio_ray_to_threads']} · cluster start "
        f"{report['ray_cluster_start_s']} s · connect {report['ray_connect_s']} s · actor start costs "
        f"{report['first_batch_extra_s']} s more · one progress poll {report['ray_poll_ms']} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print(json.dumps(report))


if __name__ == "__main__":
    main()

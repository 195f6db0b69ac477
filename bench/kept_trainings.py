"""What a finished training kept for the class to join costs the server in memory.

A server keeps each finished training that can still be joined (its model,
records and samples) for an hour, while their models fit in
``limits.MAX_KEPT_TRAINING_BYTES`` (see lstm_poem/running/sharing.py). This trains ``--trainings`` Quick demos, each a
different seed on the first sample corpus, through a registry of its own in
this process, and reads the resident memory after the first (TensorFlow and
its kernels warm), after all of them are kept, and after the registry has
forgotten them. Usage::

    python bench/kept_trainings.py [--trainings 8]   # about 2 minutes
"""

from __future__ import annotations

import argparse
import gc
import json
import os
from dataclasses import replace

from bench.served_app import memory_mb
from lstm_poem import limits
from lstm_poem.running.backend import ThreadBackend, TrainingRequest
from lstm_poem.running.sharing import TrainingRegistry
from lstm_poem.text.corpus import catalog
from lstm_poem.training.presets import PRESETS


def resident_mb() -> float:
    return memory_mb(os.getpid(), "VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainings", type=int, default=8)
    args = parser.parse_args()
    limits.set_tensorflow_defaults()
    preset = PRESETS["Quick demo"]
    corpus = catalog()[0].load()
    backend = ThreadBackend()
    registry = TrainingRegistry(lambda: backend)

    def train_and_keep(seed: int) -> None:
        training = replace(preset.training, seed=seed)
        seat = registry.submit(TrainingRequest(corpus, preset.model, training, abandon_after=None))
        seat.join()

    train_and_keep(0)
    gc.collect()
    warm = resident_mb()
    for seed in range(1, args.trainings + 1):
        train_and_keep(seed)
    gc.collect()
    kept = resident_mb()
    kept_count = len(registry.recent())
    registry.keep_seconds = 0.0
    registry.recent()  # forgets every finished one
    gc.collect()
    report = {
        "trainings_kept": kept_count,
        "resident_mb_with_one": round(warm, 1),
        "resident_mb_with_all": round(kept, 1),
        "mb_per_kept_training": round((kept - warm) / args.trainings, 2),
        "resident_mb_after_forgetting": round(resident_mb(), 1),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

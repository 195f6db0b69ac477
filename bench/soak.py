"""Soak test: many train / generate / save / load cycles in one process, as a long classroom day would.

Each cycle does what one student does in the app: a training on a background
job (polled like the page does), three poems at three temperatures, a bundle
download, and that bundle uploaded and used again. Resident memory is read
after every cycle; the run fails when memory after the last cycle is more than
20% above memory after the first.

Usage (from the repo root)::

    python bench/soak.py [--cycles 20] [--json soak.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.files.bundle import bundle_bytes, load_bundle  # noqa: E402
from lstm_poem.network.generate import Generator  # noqa: E402
from lstm_poem.network.model import ModelConfig  # noqa: E402
from lstm_poem.running.job import TrainingJob  # noqa: E402
from lstm_poem.text.corpus import catalog  # noqa: E402
from lstm_poem.training.train_config import TrainConfig  # noqa: E402

ALLOWED_GROWTH = 1.20


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one_cycle(corpus, number: int) -> None:
    job = TrainingJob(
        corpus,
        ModelConfig(units=128, embedding=32),
        TrainConfig(seq_len=64, epochs=3, seed=number, sample_length=80),
        abandon_after=None,
    ).start()
    while not job.join(timeout=0.5):
        job.snapshot()  # the page polls like this
    result = job.snapshot().result
    if result is None:
        raise RuntimeError(job.snapshot().error)
    Generator(result.poem).generate("The river\n", [0.5, 1.0, 1.5], length=400, seed=number)
    again = load_bundle(bundle_bytes(result.poem))
    Generator(again).generate("The river\n", [0.5, 1.0, 1.5], length=400, seed=number)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    corpora = [entry.load() for entry in catalog()]
    start_mb = resident_mb()
    after: list[float] = []
    started = time.perf_counter()
    for number in range(args.cycles):
        one_cycle(corpora[number % len(corpora)], number)
        gc.collect()
        after.append(resident_mb())
        print(f"cycle {number + 1:3d}: {after[-1]:7.1f} MB resident", file=sys.stderr, flush=True)
    figures = {
        "cycles": args.cycles,
        "seconds": round(time.perf_counter() - started, 1),
        "before_mb": round(start_mb, 1),
        "after_first_mb": round(after[0], 1),
        "after_last_mb": round(after[-1], 1),
        "peak_mb": round(peak_mb(), 1),
        "growth_after_first": round(after[-1] / after[0] - 1, 4),
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({**figures, "after_each_mb": [round(m, 1) for m in after]}, indent=1))
    if after[-1] > after[0] * ALLOWED_GROWTH:
        sys.exit(f"memory grew by more than {ALLOWED_GROWTH - 1:.0%} after the first cycle")


if __name__ == "__main__":
    main()

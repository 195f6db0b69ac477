"""How long Generate's poems take: 3 temperatures × 400 characters, warm, for every shipped model.

Each model's generator is built and run once (the graph is traced), then the models take turns,
``--rounds`` calls each, so a changing load on a shared machine hits them alike. Reports the median
and worst wall and CPU seconds per call, and each model's ratio to the catalog's first model (the
Generate page's default, an LSTM) in the same run.

Usage (from the repo root)::

    python bench/generate_speed.py [--rounds 10] [--only frost verse_transformer] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.files.pretrained import pretrained_catalog  # noqa: E402
from lstm_poem.network.generate import Generator  # noqa: E402

SEED_TEXT = "Two roads diverged in a yellow wood,\n"
TEMPERATURES = [0.5, 1.0, 1.5]
LENGTH = 400


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="these catalog models (default: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    items = [item for item in pretrained_catalog() if not args.only or item.name in args.only]
    generators = {}
    for item in items:
        generators[item.name] = Generator(item.load())
        generators[item.name].generate(SEED_TEXT, TEMPERATURES, length=LENGTH)  # traced once, not timed
    wall: dict[str, list[float]] = {name: [] for name in generators}
    cpu: dict[str, list[float]] = {name: [] for name in generators}
    for round_number in range(args.rounds):
        for name, generator in generators.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            generator.generate(SEED_TEXT, TEMPERATURES, length=LENGTH, seed=round_number)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    first = next(iter(generators))
    report = {
        name: {
            "network": generators[name].poem.config.cell_name,
            "median_s": round(statistics.median(wall[name]), 3),
            "worst_s": round(max(wall[name]), 3),
            "median_cpu_s": round(statistics.median(cpu[name]), 3),
            "ratio_to_" + first: round(statistics.median(wall[name]) / statistics.median(wall[first]), 2),
        }
        for name in generators
    }
    for name, row in report.items():
        print(
            f"{name:22} {row['network']:22} median {row['median_s']:.3f} s (CPU {row['median_cpu_s']:.3f}), "
            f"worst {row['worst_s']:.3f} s, {row['ratio_to_' + first]:.2f}x {first}"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""How long Generate's poems take: 3 temperatures × 400 characters, warm, for every shipped model.

Each model's writers are built and run once (the graph is traced), then they take turns, ``--rounds``
calls each, so a changing load on a shared machine hits them alike. A recurrent model is timed three
ways: its compiled sampler (``Generator``), the NumPy writer the app uses for it
(``lstm_poem/network/numpy_writer.py``), and that writer with one matrix product per step instead of
one per poem (``numpy, one product``: what ``_FEW_ROWS`` chooses against). A Transformer has only its
compiled sampler. Reports the median and worst wall and CPU seconds per call, and each one's ratio to
the catalog's first model's compiled sampler in the same run.

Usage (from the repo root)::

    python bench/generate_speed.py [--rounds 10] [--temperatures 3] [--only frost verse_transformer] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.files.bundle import build_poem, read_bundle  # noqa: E402
from lstm_poem.files.pretrained import pretrained_catalog  # noqa: E402
from lstm_poem.network import numpy_writer  # noqa: E402
from lstm_poem.network.generate import Generator  # noqa: E402

SEED_TEXT = "Two roads diverged in a yellow wood,\n"
LENGTH = 400


def _writers(path: Path) -> dict[str, object]:
    contents = read_bundle(path)
    writers = {"compiled": Generator(build_poem(contents))}
    if not contents.config.is_transformer:
        writers["numpy"] = writers["numpy, one product"] = contents.writer()
    return writers


def _write(way: str, writer, temperatures: list[float], seed: int) -> None:
    few_rows = numpy_writer._FEW_ROWS
    numpy_writer._FEW_ROWS = 0 if way == "numpy, one product" else few_rows
    try:
        writer.generate(SEED_TEXT, temperatures, length=LENGTH, seed=seed)
    finally:
        numpy_writer._FEW_ROWS = few_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--temperatures", type=int, default=3, help="poems written at once (temperatures)")
    parser.add_argument("--only", nargs="*", help="these catalog models (default: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    temperatures = [round(0.5 + i * 1.0 / max(args.temperatures - 1, 1), 2) for i in range(args.temperatures)]
    items = [item for item in pretrained_catalog() if not args.only or item.name in args.only]
    writers = {}
    for item in items:
        for way, writer in _writers(item.path).items():
            writers[f"{item.name} ({way})"] = (way, writer)
            _write(way, writer, temperatures, 0)  # traced once, not timed
    wall: dict[str, list[float]] = {name: [] for name in writers}
    cpu: dict[str, list[float]] = {name: [] for name in writers}
    for round_number in range(args.rounds):
        for name, (way, writer) in writers.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            _write(way, writer, temperatures, round_number)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    first = next(iter(writers))
    report = {
        name: {
            "median_s": round(statistics.median(wall[name]), 3),
            "worst_s": round(max(wall[name]), 3),
            "median_cpu_s": round(statistics.median(cpu[name]), 3),
            "ratio_to_first": round(statistics.median(wall[name]) / statistics.median(wall[first]), 2),
        }
        for name in writers
    }
    print(f"{len(temperatures)} poems of {LENGTH} tokens at once; ratios to {first}")
    for name, row in report.items():
        print(
            f"{name:40} median {row['median_s']:.3f} s (CPU {row['median_cpu_s']:.3f}), "
            f"worst {row['worst_s']:.3f} s, {row['ratio_to_first']:.2f}x"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

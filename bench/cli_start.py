"""How long the command line takes to write poems from a cold process, against importing TensorFlow alone.

Times, as fresh processes taking turns so a changing load on a shared machine hits them alike:

- ``python -c "import tensorflow"``: the floor no command that touches a network can go below;
- ``python -m lstm_poem generate MODEL`` of 4 temperatures × 400 characters, for this checkout and for
  each ``--also`` checkout (e.g. a ``git worktree`` of an older commit, to compare before and after).

Reports each one's median wall seconds and median CPU seconds (user + system, all threads: on a busy
shared machine the wall time mostly measures the other work), and each one's excess over the TensorFlow
import in the same run.

Usage (from the repo root)::

    python bench/cli_start.py [--repeats 5] [--model pretrained/frost.zip] [--also ../old-checkout] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPERATURES = ["0.5", "0.8", "1.0", "1.2"]
LENGTH = "400"


def _seconds(command: list[str], code: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process running ``command`` with ``code``'s lstm_poem first on the path."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=code, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--model", type=Path, default=ROOT / "pretrained" / "frost.zip")
    parser.add_argument("--also", type=Path, nargs="*", default=[], help="other checkouts to time the same way")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    generate = [
        *("-m", "lstm_poem", "generate", str(args.model.resolve())),
        *("--length", LENGTH, "--prime", "Two roads", "--temperatures", *TEMPERATURES),
    ]
    runs = {"import tensorflow": ([sys.executable, "-c", "import tensorflow"], ROOT)}
    for code in [ROOT, *args.also]:
        runs[f"generate ({code.resolve()})"] = ([sys.executable, *generate], code.resolve())
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, (command, code) in runs.items():
            times[name].append(_seconds(command, code))
    figures: dict[str, dict] = {name: {} for name in times}
    for clock, which in (("wall", 0), ("cpu", 1)):
        floor = statistics.median(value[which] for value in times["import tensorflow"])
        for name, values in times.items():
            median = statistics.median(value[which] for value in values)
            figures[name] |= {
                f"median_{clock}_s": round(median, 2),
                f"{clock}_over_tensorflow_s": round(median - floor, 2),
                f"all_{clock}_s": [round(value[which], 2) for value in values],
            }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()

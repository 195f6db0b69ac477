"""The long run of the bundle fuzzer (``tests/bundle_fuzz.py``), for the figures in docs/robustness.md.

Runs the fuzzer in batches, each a fresh memory-capped process with its own
hypothesis seed, and adds the batches up: examples tried, loaded, refused,
failures (by kind, with the shortest recipe that caused each). With
``--against REF`` the same fuzzer runs on the loader of an older commit, to
show what it finds there::

    nice -n 10 python scripts/fuzz_bundles.py --batches 8 --examples 2500
    nice -n 10 python scripts/fuzz_bundles.py --batches 2 --examples 1000 --against 9d3e83f
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ("tests/bundle_fuzz.py", "tests/bundle_edits.py")


def checkout(ref: str, into: Path) -> Path:
    """The engine and sample verse of commit ``ref``, with today's fuzzer beside them."""
    archive = subprocess.run(
        ["git", "archive", ref, "lstm_poem", "sample_corpora"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "tests").mkdir()
    for name in HARNESS:
        shutil.copy(ROOT / name, into / name)
    return into


def run_batch(root: Path, examples: int, seed: int, memory_mb: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "tests/bundle_fuzz.py", "--examples", str(examples), "--seed", str(seed)]
        + ["--memory-mb", str(memory_mb)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:  # the process itself died: that is a failure too
        return {
            "examples": 0,
            "loaded": 0,
            "refused": 0,
            "failed": 1,
            "seconds": 0,
            "messages": {},
            "failures": [{"failure": f"fuzzer process exited {proc.returncode}", "recipe": proc.stderr[-400:]}],
        }
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--examples", type=int, default=2500, help="examples per batch")
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--against", metavar="REF", help="fuzz the loader of this commit instead")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        root = checkout(args.against, Path(scratch)) if args.against else ROOT
        started = time.monotonic()
        totals: Counter[str] = Counter()
        failures: dict[str, str] = {}
        messages: set[str] = set()
        for batch in range(args.batches):
            report = run_batch(root, args.examples, args.first_seed + batch, args.memory_mb)
            totals.update({key: report[key] for key in ("examples", "loaded", "refused", "failed")})
            messages |= set(report["messages"])
            for failure in report["failures"]:
                kind = failure["failure"].split(":")[0]
                if kind not in failures or len(failure["recipe"]) < len(failures[kind]):
                    failures[kind] = failure["recipe"]
            print(
                f"batch {batch + 1}/{args.batches}: {report['examples']} examples, {report['failed']} failed",
                file=sys.stderr,
            )
    summary = {
        "code": args.against or "working tree",
        **totals,
        "distinct_refusal_messages": len(messages),
        "failure_kinds": failures,
        "batches": args.batches,
        "seeds": f"{args.first_seed}..{args.first_seed + args.batches - 1}",
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()

"""Fine-tuning versus training from scratch on a small corpus, for the same wall-clock budgets.

The small corpus is the first 5 KB of Frost's *Mountain Interval*; the held-out
text is the last 5 KB of the same book (never trained on). Each budget runs
twice: a fresh model with the engine's defaults, and the pretrained sonnets
model fine-tuned at its lower learning rate. Early stopping (patience 5) is on
for both, as in the app, so a run may end before its budget.

Usage (from the repo root; needs ../shared/corpora and pretrained/sonnets.zip)::

    python bench/bench_finetune.py [--budgets 30 60] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.files.bundle import load_bundle  # noqa: E402
from lstm_poem.measuring.evaluate import evaluate  # noqa: E402
from lstm_poem.network.generate import Generator  # noqa: E402
from lstm_poem.text.corpus import corpus_from_text  # noqa: E402
from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE  # noqa: E402
from lstm_poem.training.train import train  # noqa: E402
from lstm_poem.training.train_config import TrainConfig  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

FROST = ROOT.parent / "shared" / "corpora" / "frost_mountain_interval.txt"
BASE = ROOT / "pretrained" / "sonnets.zip"
SMALL_CHARS = 5_000


def split_frost() -> tuple[str, str]:
    """The first ~5 KB (ending at a line break) and the last ~5 KB (starting at one)."""
    text = FROST.read_text(encoding="utf-8")
    head = text[: text.rfind("\n", 0, SMALL_CHARS) + 1]
    tail = text[text.find("\n", len(text) - len(head)) + 1 :]  # no longer than the head: val_fraction <= 0.5
    return head, tail


def run(head: str, tail: str, budget: float, base) -> dict:
    # The held-out tail goes at the end, and val_fraction makes exactly it the held-out part.
    text = head + tail
    config = TrainConfig(val_fraction=len(tail) / len(text), time_limit=budget, epochs=1000, patience=5)
    if base is not None:
        config = replace(config, learning_rate=FINE_TUNE_LEARNING_RATE)
    result = train(corpus_from_text(text, name="frost-5k"), train_config=config, init_from=base)
    sample = Generator(result.poem).generate("The woods are\n", [0.5], length=300, seed=42).samples[0].text
    return {
        "start": "fine-tuned from sonnets" if base is not None else "from scratch",
        "budget_s": budget,
        "best_val_loss": round(result.best_val_loss, 4),
        "best_epoch": result.best_epoch,
        "epochs_run": result.epochs_run,
        "stop_reason": result.stop_reason,
        "seconds": round(result.seconds, 1),
        "sample_T0.5": sample,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[30, 60])
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    for needed in (FROST, BASE):
        if not needed.is_file():
            sys.exit(f"error: {needed} is missing")
    head, tail = split_frost()
    base = load_bundle(BASE)
    zero_shot = evaluate(base, tail).loss
    rows = [run(head, tail, budget, start) for budget in args.budgets for start in (None, base)]
    print(f"Small corpus: {len(head):,} chars of Mountain Interval; held-out: its last {len(tail):,} chars.")
    print(f"The sonnets model before fine-tuning scores {zero_shot:.3f} nats/char on the held-out text.\n")
    print("| budget | start | best held-out loss (nats/char) | best epoch / epochs run | stopped by | seconds |")
    print("|---:|---|---:|---:|---|---:|")
    for row in rows:
        print(
            f"| {row['budget_s']:g} s | {row['start']} | {row['best_val_loss']:.3f} | "
            f"{row['best_epoch']} / {row['epochs_run']} | {row['stop_reason'].replace('_', ' ')} | "
            f"{row['seconds']:.0f} |"
        )
    for row in rows:
        print(f"\n--- {row['start']}, {row['budget_s']:g} s, T = 0.5 ---\nThe woods are\n{row['sample_T0.5']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"zero_shot": zero_shot, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()

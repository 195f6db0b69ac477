"""What one training of a lesson costs: each preset on each sample corpus, in core-seconds.

A class of thirty on two cores finishes its training step only if each distinct
training is cheap. This trains every preset of :mod:`lstm_poem.training.presets` (or the
ones named) on every sample corpus, one after another in this process, and
reports for each the wall seconds, the CPU seconds of the whole process
(``time.process_time``: every TensorFlow thread counted, so the figure holds on
a busy machine too), the epochs, how it ended and the best held-out loss.

Usage (from the repository root)::

    python bench/class_step.py [--presets "Quick demo" Balanced] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lstm_poem import limits
from lstm_poem.text.corpus import catalog
from lstm_poem.training.presets import PRESETS
from lstm_poem.training.train import train


def measure(preset_name: str, corpus_name: str) -> dict:
    preset = PRESETS[preset_name]
    entry = next(entry for entry in catalog() if entry.name == corpus_name)
    corpus = entry.load()
    wall, cpu = time.perf_counter(), time.process_time()
    result = train(corpus, preset.model, preset.training)
    return {
        "preset": preset_name,
        "corpus": corpus_name,
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "epochs": result.epochs_run,
        "best_epoch": result.best_epoch,
        "stop_reason": result.stop_reason,
        "best_val_loss": round(result.best_val_loss, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--corpora", nargs="+", default=[entry.name for entry in catalog()])
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    limits.set_tensorflow_defaults()
    rows = []
    for preset_name in args.presets:
        for corpus_name in args.corpora:
            rows.append(measure(preset_name, corpus_name))
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()

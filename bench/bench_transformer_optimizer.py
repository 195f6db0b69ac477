"""Does a small Transformer need AdamW with a warm-up? Held-out loss after equal training tokens.

Each setup trains the same 4-block, 128-wide character Transformer (context 128,
window 100) from the same seed on Shakespeare's sonnets (their last 10% held
out) for the same number of batches, with no learning-rate halving, and prints
the held-out loss after each "epoch" of batches and the CPU seconds it took.

Usage (from the repo root; needs ../shared/corpora)::

    python bench/bench_transformer_optimizer.py [--steps 50] [--epochs 4]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.network.model import ModelConfig  # noqa: E402
from lstm_poem.text.corpus import load_corpus  # noqa: E402
from lstm_poem.training.train import train  # noqa: E402
from lstm_poem.training.train_config import TrainConfig  # noqa: E402

SONNETS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "shakespeare_sonnets.txt"
# name: (learning rate, warm-up batches, weight decay)
SETUPS = {
    "adam-0.01 (the LSTMs' rate)": (0.01, 0, 0.0),
    "adam-0.002": (0.002, 0, 0.0),
    "adamw-0.002-warmup-100": (0.002, 100, 0.1),
    "adam-0.002-warmup-100": (0.002, 100, 0.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="batches per epoch")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--only", nargs="+", choices=sorted(SETUPS))
    args = parser.parse_args()
    corpus = load_corpus(SONNETS)
    model = ModelConfig(cell="transformer", layers=4, units=128, heads=4, context=128, dropout=0.1)
    results = {}
    for name in args.only or SETUPS:
        rate, warmup, decay = SETUPS[name]
        config = TrainConfig(
            learning_rate=rate, warmup_steps=warmup, weight_decay=decay, steps_per_epoch=args.steps,
            epochs=args.epochs, patience=args.epochs, lr_patience=0, seed=42,
        )  # fmt: skip
        cpu = time.process_time()
        result = train(corpus, model, config)
        results[name] = {
            "held_out_per_epoch": [round(r.val_loss, 4) for r in result.history],
            "cpu_seconds": round(time.process_time() - cpu, 1),
        }
        print(json.dumps({name: results[name]}), flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

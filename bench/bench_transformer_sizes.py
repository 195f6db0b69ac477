"""Training speed of a few Transformer shapes, to size the verse Transformer: tokens per CPU-second.

Every shape is built first; then short bursts of training on the same random
batches alternate between them (round robin), so a changing load on a shared
machine hits them alike. Speed only: which shape learns most per second is
the long run's question, answered by its held-out loss per epoch.

Usage (from the repo root)::

    python bench/bench_transformer_sizes.py [--seconds 60] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import time

from lstm_poem import limits

limits.set_tensorflow_defaults()

import numpy as np  # noqa: E402

from lstm_poem.network.model import ModelConfig, build_model  # noqa: E402
from lstm_poem.training.train import make_optimizer  # noqa: E402
from lstm_poem.training.train_config import TrainConfig  # noqa: E402

VOCAB = 100  # about the verse corpus's characters
# name: (layers, width, context = window, batch, precision)
SHAPES = {
    "4x128-c128": (4, 128, 128, 32, "float32"),
    "4x128-c128-bf16": (4, 128, 128, 32, "mixed_bfloat16"),
    "4x192-c128": (4, 192, 128, 32, "float32"),
    "4x192-c128-bf16": (4, 192, 128, 32, "mixed_bfloat16"),
    "4x192-c256-b16-bf16": (4, 192, 256, 16, "mixed_bfloat16"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="CPU seconds of training per shape in all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=sorted(SHAPES))
    args = parser.parse_args()
    import keras

    rng = np.random.default_rng(0)
    runs = {}
    for name in args.only or SHAPES:
        layers, width, context, batch, precision = SHAPES[name]
        config = ModelConfig(cell="transformer", layers=layers, units=width, context=context, dropout=0.1)
        network = build_model(config, VOCAB, precision)
        network.compile(
            optimizer=make_optimizer(TrainConfig(learning_rate=1e-3, weight_decay=0.1)),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        ids = rng.integers(0, VOCAB, size=(batch, context + 1)).astype(np.int32)
        network.train_on_batch(ids[:, :-1], ids[:, 1:])  # traced before timing
        runs[name] = {"network": network, "ids": ids, "tokens": 0, "cpu": 0.0, "wall": 0.0,
                      "parameters": config.parameter_count(VOCAB)}  # fmt: skip
    for _ in range(args.rounds):
        for run in runs.values():
            cpu, wall = time.process_time(), time.perf_counter()
            while time.process_time() - cpu < args.seconds / args.rounds:
                run["network"].train_on_batch(run["ids"][:, :-1], run["ids"][:, 1:])
                run["tokens"] += run["ids"][:, :-1].size
            run["cpu"] += time.process_time() - cpu
            run["wall"] += time.perf_counter() - wall
    results = {
        name: {
            "parameters": run["parameters"],
            "tokens_per_cpu_s": round(run["tokens"] / run["cpu"]),
            "tokens_per_s": round(run["tokens"] / run["wall"]),
        }
        for name, run in runs.items()
    }
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

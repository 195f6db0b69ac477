"""Short runs that choose the verse base model's shape: tokens per second and held-out loss after equal tokens.

Each configuration trains from scratch on the training poems of
``../shared/corpora/english_verse.txt`` (every 10th poem held out, as the base
run does) for the same number of tokens, then scores the same 300,000 held-out
characters. The configurations run back to back in one process, so they see
similar machine load; on a shared machine the figures are still noisy.

Usage (from the repo root; needs ../shared/corpora)::

    python bench/bench_verse_base.py [--tokens 960000] [--only 512-f32 512-bf16] [--json results.json]
    python bench/bench_verse_base.py --speed-rounds 3 --only 512-f32 512-bf16 512-f32-b64

``--speed-rounds`` measures speed alone, fairer under a changing load: every
model is built first, then short bursts of training alternate between them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

import numpy as np  # noqa: E402

from lstm_poem.network.model import ModelConfig, build_model  # noqa: E402
from lstm_poem.text.corpus import clean_text  # noqa: E402
from lstm_poem.text.tokenizer import fit_tokenizer  # noqa: E402
from lstm_poem.training.data import make_dataset, make_training_dataset, split_poems  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

VERSE = ROOT.parent / "shared" / "corpora" / "english_verse.txt"
HELDOUT_CHARS = 300_000
SEQ_LEN = 100


@dataclass(frozen=True)
class Setup:
    name: str
    units: int
    layers: int = 1
    precision: str = "float32"  # or "mixed_bfloat16"
    batch_size: int = 32
    learning_rate: float = 0.005


SETUPS = (
    Setup("384-f32", 384),
    Setup("512-f32", 512),
    Setup("512-bf16", 512, precision="mixed_bfloat16"),
    Setup("512-f32-b64", 512, batch_size=64, learning_rate=0.007),
    Setup("512-bf16-b64", 512, precision="mixed_bfloat16", batch_size=64, learning_rate=0.007),
    Setup("2x384-f32", 384, layers=2),
)


def run(setup: Setup, train_ids: np.ndarray, heldout_ids: np.ndarray, vocab_size: int, tokens: int) -> dict:
    import keras

    keras.mixed_precision.set_dtype_policy(setup.precision)
    keras.utils.set_random_seed(42)
    config = ModelConfig(units=setup.units, layers=setup.layers, dropout=0.1)
    network = build_model(config, vocab_size)
    network.compile(
        optimizer=keras.optimizers.Adam(setup.learning_rate, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    steps = max(1, tokens // (setup.batch_size * SEQ_LEN))
    data = make_training_dataset(train_ids, SEQ_LEN, setup.batch_size, seed=42, endless=True)
    network.fit(data.take(5), verbose=0)  # compile the step function before timing
    start = time.perf_counter()
    network.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    heldout_loss = network.evaluate(make_dataset(heldout_ids, SEQ_LEN, 256), verbose=0)
    keras.mixed_precision.set_dtype_policy("float32")
    return {
        **setup.__dict__,
        "tokens": steps * setup.batch_size * SEQ_LEN,
        "tokens_per_s": round(steps * setup.batch_size * SEQ_LEN / seconds),
        "heldout_loss": round(float(heldout_loss), 4),
        "parameters": network.count_params(),
    }


def speed_rounds(setups: list[Setup], train_ids: np.ndarray, vocab_size: int, rounds: int) -> list[dict]:
    """Tokens per second of each setup, timed in alternating bursts of about 100,000 tokens."""
    import keras

    trainers = []
    for setup in setups:
        keras.mixed_precision.set_dtype_policy(setup.precision)
        network = build_model(ModelConfig(units=setup.units, layers=setup.layers, dropout=0.1), vocab_size)
        network.compile(
            optimizer=keras.optimizers.Adam(setup.learning_rate, clipnorm=1.0),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        data = make_training_dataset(train_ids, SEQ_LEN, setup.batch_size, seed=42, endless=True)
        network.fit(data.take(5), verbose=0)  # compile the step function before timing
        trainers.append((setup, network, data, 100_000 // (setup.batch_size * SEQ_LEN)))
    keras.mixed_precision.set_dtype_policy("float32")
    speeds: dict[str, list[float]] = {setup.name: [] for setup in setups}
    for _ in range(rounds):
        for setup, network, data, steps in trainers:
            start = time.perf_counter()
            network.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
            speeds[setup.name].append(steps * setup.batch_size * SEQ_LEN / (time.perf_counter() - start))
    return [{**setup.__dict__, "tokens_per_s": [round(v) for v in speeds[setup.name]]} for setup in setups]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=960_000, help="training tokens per configuration")
    parser.add_argument("--only", nargs="+", choices=[s.name for s in SETUPS], help="run just these")
    parser.add_argument("--speed-rounds", type=int, help="measure speed only, in this many alternating rounds")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if not VERSE.is_file():
        sys.exit(f"error: {VERSE} is missing")
    train_text, heldout_text = split_poems(clean_text(VERSE.read_text(encoding="utf-8")), 0.1)
    tokenizer = fit_tokenizer(train_text + heldout_text, "char")
    train_ids = np.asarray(tokenizer.encode(train_text).ids, np.int32)
    heldout_ids = np.asarray(tokenizer.encode(heldout_text[:HELDOUT_CHARS]).ids, np.int32)
    if args.speed_rounds:
        chosen = [s for s in SETUPS if not args.only or s.name in args.only]
        for row in speed_rounds(chosen, train_ids, tokenizer.vocab_size, args.speed_rounds):
            print(json.dumps(row), flush=True)
        return
    results = []
    for setup in SETUPS:
        if args.only and setup.name not in args.only:
            continue
        result = run(setup, train_ids, heldout_ids, tokenizer.vocab_size, args.tokens)
        results.append(result)
        print(json.dumps(result), flush=True)
    baseline = results[0]
    print(f"\n{'setup':<14}{'tokens/s':>10}{'ratio':>8}{'held-out':>10}")
    for r in results:
        print(
            f"{r['name']:<14}{r['tokens_per_s']:>10,}{r['tokens_per_s'] / baseline['tokens_per_s']:>8.2f}"
            f"{r['heldout_loss']:>10.4f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Keras's LSTM against the engine's FusedLSTM: warm training steps, and the matrix products they are made of.

For each shape (the command line's default LSTM 256 at batches 32, 64 and 128, and the Quick demo's
LSTM 128 on 64-token windows) both layers train the engine's network (embedding, LSTM, dropout 0.2,
dense logits; Adam with clipping) on random tokens for ``--seconds`` after a warm-up, and the script
prints tokens per CPU-second of this process (``time.process_time``, which other work on a shared
machine disturbs less) and per wall-clock second. Then it times the single products of one time step,
with and without a transposed operand. One TensorFlow thread per op, as the command line trains.
Takes the shared benchmark lock (/tmp/lstm-poem-bench.lock) for the whole run.

Usage (from the repo root)::

    python bench/fused_lstm_speed.py [--seconds 6] [--json results.json]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import time
from pathlib import Path
from typing import Any

from lstm_poem import limits

LOCK = Path("/tmp/lstm-poem-bench.lock")
VOCAB = 62  # the sonnets' characters
# (units, embedding, batch, window): the default at three batch sizes, then the Quick demo
SHAPES = [(256, 64, 32, 100), (256, 64, 64, 100), (256, 64, 128, 100), (128, 32, 32, 64)]
# (name, left shape, right shape, transpose_left, transpose_right): one time step of LSTM 256 on
# embedding 64, batch 32, forward and backward, and the whole window's weight gradient
PRODUCTS = [
    ("forward: [inputs, h] x weights", (32, 320), (320, 1024), False, False),
    ("backward to h: gate grads x weights^T (transposed operand)", (32, 1024), (320, 1024), False, True),
    ("backward to h: gate grads x weights^T (transposed beforehand)", (32, 1024), (1024, 320), False, False),
    ("weight gradient of one step: [inputs, h]^T x gate grads", (32, 320), (32, 1024), True, False),
    ("weight gradient of a 100-step window in one product", (3200, 320), (3200, 1024), True, False),
]


def network(layer_type: Any, units: int, embedding: int) -> Any:
    import keras

    tokens = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(VOCAB, embedding)(tokens)
    x = keras.layers.Dropout(0.2)(layer_type(units, return_sequences=True)(x))
    model = keras.Model(tokens, keras.layers.Dense(VOCAB)(x))
    model.compile(
        optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def training_speed(layer_type: Any, units: int, embedding: int, batch: int, window: int, seconds: float) -> dict:
    """Tokens per CPU-second and per second of warm ``fit`` steps."""
    import numpy as np
    import tensorflow as tf

    ids = np.random.default_rng(0).integers(0, VOCAB, (batch * 20, window + 1)).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((ids[:, :-1], ids[:, 1:])).batch(batch).repeat().prefetch(2)
    model = network(layer_type, units, embedding)
    model.fit(data, steps_per_epoch=5, epochs=1, verbose=0)  # trace and warm up
    steps, cpu_start, wall_start = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - wall_start < seconds:
        model.fit(data, steps_per_epoch=10, epochs=1, verbose=0)
        steps += 10
    tokens = steps * batch * window
    return {
        "tokens_per_cpu_s": tokens / (time.process_time() - cpu_start),
        "tokens_per_s": tokens / (time.perf_counter() - wall_start),
    }


def product_speed(left: tuple[int, int], right: tuple[int, int], transpose_left: bool, transpose_right: bool) -> dict:
    """CPU milliseconds and GFLOP/s of one product, ten distinct left operands per call so none is reused."""
    import tensorflow as tf

    lefts = [tf.random.normal(left) for _ in range(10)]
    right_operand = tf.random.normal(right)

    @tf.function
    def ten_products(lefts, right_operand):
        return tf.add_n(
            [
                tf.reduce_sum(tf.matmul(a, right_operand, transpose_a=transpose_left, transpose_b=transpose_right))
                for a in lefts
            ]
        )

    ten_products(lefts, right_operand)
    calls = 20
    start = time.process_time()
    for _ in range(calls):
        ten_products(lefts, right_operand).numpy()
    seconds = (time.process_time() - start) / (calls * 10)
    rows, inner = (left[1], left[0]) if transpose_left else left
    columns = right[0] if transpose_right else right[1]
    return {"cpu_ms": seconds * 1000, "gflop_per_s": 2 * rows * inner * columns / seconds / 1e9}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="timed training per layer and shape (s)")
    parser.add_argument("--json", type=Path, help="write the raw numbers to this file")
    args = parser.parse_args(argv)
    limits.set_tensorflow_defaults()  # one thread per op, before TensorFlow loads
    import keras

    from lstm_poem.network.fused_lstm import FusedLSTM

    results: dict[str, list] = {"training": [], "products": []}
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        print("| LSTM, embedding, batch, window | Keras tokens/CPU-s | fused tokens/CPU-s | ratio", end="")
        print(" | tokens/s Keras, fused |")
        print("| --- | --- | --- | --- | --- |")
        for units, embedding, batch, window in SHAPES:
            keras_speed = training_speed(keras.layers.LSTM, units, embedding, batch, window, args.seconds)
            fused_speed = training_speed(FusedLSTM, units, embedding, batch, window, args.seconds)
            results["training"].append(
                {"shape": [units, embedding, batch, window], "keras": keras_speed, "fused": fused_speed}
            )
            ratio = fused_speed["tokens_per_cpu_s"] / keras_speed["tokens_per_cpu_s"]
            print(
                f"| {units}, {embedding}, {batch}, {window} | {keras_speed['tokens_per_cpu_s']:,.0f} | "
                f"{fused_speed['tokens_per_cpu_s']:,.0f} | {ratio:.2f}x | "
                f"{keras_speed['tokens_per_s']:,.0f}, {fused_speed['tokens_per_s']:,.0f} |",
                flush=True,
            )
        print("\n| product | CPU ms | GFLOP/s |\n| --- | --- | --- |")
        for name, left, right, transpose_left, transpose_right in PRODUCTS:
            speed = product_speed(left, right, transpose_left, transpose_right)
            results["products"].append({"name": name, **speed})
            print(f"| {name} | {speed['cpu_ms']:.3f} | {speed['gflop_per_s']:.1f} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

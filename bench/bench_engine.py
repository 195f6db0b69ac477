"""Benchmark lstm-poem against the classic notebook way of training a char LSTM.

Both are trained for the same wall-clock budget on the same corpus, one after the
other, each in its own subprocess (so each phase's peak memory is its own), and
the parent prints a markdown table.

Usage (from the repo root)::

    python bench/bench_engine.py [--corpus PATH] [--seconds 120] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "shakespeare_sonnets.txt"
SEQ_LEN = 40  # classic window
STEP = 3  # classic stride between training windows
CLASSIC_CHARS = 100  # characters timed in the classic generation loop
WARMUP_CHARS = 5
PRIME = "Shall I compare thee"
TEMPERATURES = [0.5, 1.0, 1.5]
GEN_LENGTH = 400
GEN_REPEATS = 5


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def one_hot(ids: np.ndarray, vocab: int) -> np.ndarray:
    """float32 one-hot encoding of an integer array (adds a last axis of size ``vocab``)."""
    return np.eye(vocab, dtype=np.float32)[ids]


def classic_network(vocab: int):
    """The notebook's network: one-hot windows of SEQ_LEN characters -> LSTM(128) -> one next character."""
    import keras

    model = keras.Sequential([keras.Input((SEQ_LEN, vocab)), keras.layers.LSTM(128), keras.layers.Dense(vocab)])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def phase_classic(corpus_path: Path, seconds: float) -> dict[str, Any]:
    """The notebook way: one-hot windows, one target per window, sliding-window sampling."""
    import keras
    import tensorflow as tf

    from lstm_poem.corpus import load_corpus
    from lstm_poem.data import split_stream

    text = load_corpus(corpus_path).text
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    vocab = len(chars)
    split = split_stream(np.array([index[c] for c in text], np.int32), seq_len=SEQ_LEN, val_fraction=0.1)
    windows = np.lib.stride_tricks.sliding_window_view
    x = one_hot(windows(split.train, SEQ_LEN)[:-1:STEP], vocab)
    y = split.train[SEQ_LEN::STEP]
    x_val = one_hot(windows(split.heldout, SEQ_LEN)[:-1], vocab)  # every held-out char with 40 chars of context
    y_val = split.heldout[SEQ_LEN:]

    keras.utils.set_random_seed(42)
    model = classic_network(vocab)

    class Clock(keras.callbacks.Callback):
        """Stops training once the budget is spent; records (elapsed, held-out loss) per epoch."""

        def __init__(self) -> None:
            super().__init__()
            self.start = time.perf_counter()
            self.curve: list[tuple[float, float]] = []

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if time.perf_counter() - self.start >= seconds:
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.curve.append((time.perf_counter() - self.start, float(logs["val_loss"])))

    clock = Clock()
    model.fit(
        x,
        y,
        batch_size=128,
        epochs=1_000_000,
        shuffle=True,
        validation_data=(x_val, y_val),
        callbacks=[clock],
        verbose=0,
    )
    train_seconds = time.perf_counter() - clock.start

    rng = np.random.default_rng(7)
    window = [int(i) for i in split.heldout[:SEQ_LEN]]

    def next_char(temperature: float = 1.0) -> None:
        logits = model.predict(one_hot(np.array(window[-SEQ_LEN:]), vocab)[None], verbose=0)[0]
        z = logits.astype(np.float64) / temperature
        probs = np.exp(z - z.max())
        window.append(int(rng.choice(vocab, p=probs / probs.sum())))

    start = time.perf_counter()
    next_char()  # cold: the first predict() call builds the predict function
    cold = time.perf_counter() - start
    for _ in range(WARMUP_CHARS - 1):
        next_char()
    start = time.perf_counter()
    for _ in range(CLASSIC_CHARS):
        next_char()
    gen_seconds = time.perf_counter() - start
    best = min(clock.curve, key=lambda point: point[1])
    return {
        "vocab_size": vocab,
        "train_windows": len(y),
        "heldout_positions": len(y_val),
        "curve": clock.curve,
        "epochs": len(clock.curve),
        "best_val_loss": best[1],
        "best_elapsed": best[0],
        "train_seconds": train_seconds,
        "first_generate_s": cold,
        "ms_per_char_per_temperature": gen_seconds * 1000 / CLASSIC_CHARS,
        "sample": "".join(chars[i] for i in window[-CLASSIC_CHARS:]),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def phase_engine(corpus_path: Path, seconds: float) -> dict[str, Any]:
    """lstm-poem with its package defaults, then its batched multi-temperature generator."""
    from lstm_poem.corpus import load_corpus
    from lstm_poem.generate import Generator
    from lstm_poem.model import ModelConfig
    from lstm_poem.records import EpochRecord, ProgressRecord
    from lstm_poem.train import train
    from lstm_poem.train_config import TrainConfig

    curve: list[tuple[float, float]] = []

    def on_progress(record: ProgressRecord) -> None:
        if isinstance(record, EpochRecord):
            curve.append((record.elapsed, record.val_loss))

    config = TrainConfig(time_limit=float(seconds), seed=42)
    result = train(load_corpus(corpus_path), ModelConfig(), config, on_progress=on_progress)

    generator = Generator(result.poem)
    start = time.perf_counter()
    generator.generate(PRIME, TEMPERATURES, length=GEN_LENGTH, seed=7)  # cold: includes the graph trace
    cold = time.perf_counter() - start
    times = []
    for _ in range(GEN_REPEATS):
        start = time.perf_counter()
        generation = generator.generate(PRIME, TEMPERATURES, length=GEN_LENGTH, seed=7)
        times.append(time.perf_counter() - start)
    warm = statistics.median(times)
    return {
        "vocab_size": result.poem.tokenizer.vocab_size,
        "curve": curve,
        "epochs": result.epochs_run,
        "best_val_loss": result.best_val_loss,
        "best_epoch": result.best_epoch,
        "stop_reason": result.stop_reason,
        "train_seconds": result.seconds,
        "train_tokens_per_s": result.train_tokens_per_s,
        "first_generate_s": cold,
        "generate_s_median": warm,
        "generate_s_all": times,
        "ms_per_char_per_temperature": warm * 1000 / (GEN_LENGTH * len(TEMPERATURES)),
        "sample": generation.samples[1].text[:CLASSIC_CHARS],
    }


def run_phase(name: str, corpus: Path, seconds: float) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and return its JSON line (with its peak memory)."""
    print(f"running phase {name!r} ({seconds:g} s of training)...", file=sys.stderr, flush=True)
    cmd = [sys.executable, str(SCRIPT), "--phase", name, "--corpus", str(corpus), "--seconds", str(seconds)]
    # Both phases get the command line's threading (one thread per op) unless the caller set it.
    env = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", **os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"phase {name!r} failed (exit code {proc.returncode}); see the messages above.")
    return json.loads(lines[-1])


def ratio_text(slow: float, fast: float | None) -> str:
    """'N.Nx faster' (or slower) for two durations; empty when either is missing."""
    if not fast or slow <= 0:
        return ""
    ratio = slow / fast
    if ratio < 1:
        return f"{1 / ratio:.2g}x slower"
    return f"{ratio:,.0f}x faster" if ratio >= 10 else f"{ratio:.2g}x faster"


def report(classic: dict[str, Any], engine: dict[str, Any], seconds: float) -> tuple[str, dict[str, Any]]:
    """The markdown table and the derived numbers behind it."""
    target, c_best_s = classic["best_val_loss"], classic["best_elapsed"]
    reached = next((elapsed for elapsed, loss in engine["curve"] if loss <= target), None)
    c_ms, e_ms = classic["ms_per_char_per_temperature"], engine["ms_per_char_per_temperature"]
    summary = {
        "classic_best_val_loss": target,
        "classic_seconds_to_best": c_best_s,
        "engine_seconds_to_classic_best": reached,
        "time_to_loss_speedup": c_best_s / reached if reached else None,
        "generation_speedup": c_ms / e_ms,
    }
    c_cold, e_cold = classic["first_generate_s"], engine["first_generate_s"]
    c_mb, e_mb = classic["peak_rss_mb"], engine["peak_rss_mb"]
    reached_s = f"{reached:.1f}" if reached else "not reached"
    rows = [
        ("measure", "classic notebook way", "lstm-poem", "ratio"),
        ("---", "---", "---", "---"),
        (f"best held-out loss after {seconds:g} s (nats/char)", f"{target:.3f}", f"{engine['best_val_loss']:.3f}", ""),
        (
            "seconds to reach the classic way's best held-out loss",
            f"{c_best_s:.1f}",
            reached_s,
            ratio_text(c_best_s, reached),
        ),
        ("ms per generated char per temperature (warm)", f"{c_ms:.3g}", f"{e_ms:.3g}", ratio_text(c_ms, e_ms)),
        ("first generation call, cold (s)", f"{c_cold:.2f}", f"{e_cold:.2f}", ""),
        ("peak memory of the phase, train + generate (MB)", f"{c_mb:.0f}", f"{e_mb:.0f}", ""),
    ]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows), summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="plain-text corpus")
    parser.add_argument("--seconds", type=float, default=120.0, help="training budget per phase (wall seconds)")
    parser.add_argument("--json", type=Path, help="write all raw numbers to this file")
    parser.add_argument("--phase", choices=["classic", "engine"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not corpus.is_file():
        sys.exit(f"corpus not found: {corpus}\nPass one with --corpus PATH.")
    if args.seconds <= 0:
        sys.exit("--seconds must be positive.")

    if args.phase:
        phase = phase_classic if args.phase == "classic" else phase_engine
        result = phase(corpus, args.seconds)
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result), flush=True)
        return

    classic = run_phase("classic", corpus, args.seconds)
    engine = run_phase("engine", corpus, args.seconds)
    table, summary = report(classic, engine, args.seconds)
    machine = f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
    machine += f", TensorFlow {classic['tensorflow']}, Keras {classic['keras']}"
    command = " ".join(["python", *sys.argv])
    print(table)
    print()
    print(
        "Held-out loss: classic = every held-out char with 40 chars of context before it; "
        "lstm-poem = its own validation (non-overlapping 100-char windows, every position scored)."
    )
    print(f"Machine: {machine}")
    print(f"Command: `{command}`")
    if args.json:
        raw = {"command": command, "machine": machine, "corpus": str(corpus), "seconds": args.seconds}
        raw.update(summary=summary, classic=classic, engine=engine)
        args.json.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
        print(f"Raw numbers written to {args.json}")


if __name__ == "__main__":
    main()

"""Benchmark lstm-poem's training against an older commit and the classic notebook way.

One run trains, each in its own subprocess and one after the other:

- the command line's default settings for ``--seconds`` (120 s), with this commit's code and,
  with ``--against REF``, with REF's code (a git commit, exported to /tmp, or a checkout's folder);
- the app's Quick demo preset for its own 45 s, with both codes;
- the classic notebook way (one-hot windows, one target per window) for ``--seconds``.

Each phase takes the shared benchmark lock (/tmp/lstm-poem-bench.lock) for itself, so
no two engineers' benchmarks overlap and no single hold is long. Every engine phase
uses its own code's thread settings and defaults, as ``python -m lstm_poem train`` would.
The parent prints a markdown table: tokens per second and the held-out loss reached
after 45 s and after ``--seconds``, with the ratios that matter, then generation speed.

Usage (from the repo root)::

    python bench/bench_engine.py [--against 85fc678] [--corpus PATH] [--seconds 120] [--json results.json]
"""

from __future__ import annotations

import argparse
import fcntl
import importlib
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "shakespeare_sonnets.txt"
LOCK = Path("/tmp/lstm-poem-bench.lock")
QUICK_DEMO = "Quick demo"
EARLY_MARK = 45.0  # seconds: the held-out loss is also read at this point of every run (the Quick demo's budget)
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


def phase_classic(corpus_path: Path, seconds: float) -> dict[str, Any]:
    """The notebook way: one-hot windows, one target per window, sliding-window sampling."""
    import keras
    import tensorflow as tf

    from lstm_poem.network.classic import SEQ_LEN, classic_network, classic_windows, one_hot
    from lstm_poem.text.corpus import load_corpus
    from lstm_poem.training.data import split_stream

    text = load_corpus(corpus_path).text
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    vocab = len(chars)
    split = split_stream(np.array([index[c] for c in text], np.int32), seq_len=SEQ_LEN, val_fraction=0.1)
    x, y = classic_windows(split.train, vocab)
    x_val, y_val = classic_windows(split.heldout, vocab, step=1)  # every held-out char with 40 chars of context

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


def engine_module(dotted: str) -> ModuleType:
    """An engine module by its place in a subpackage (``training.train``), or by its bare name in an older
    commit (``--against``) from before the engine was grouped into subpackages. Decided by the folders of the
    lstm_poem that is first on the path: the installed checkout's finder also knows the new subpackages."""
    import lstm_poem

    grouped = (Path(lstm_poem.__file__).parent / dotted.partition(".")[0]).is_dir()
    return importlib.import_module(f"lstm_poem.{dotted if grouped else dotted.rpartition('.')[2]}")


def phase_engine(corpus_path: Path, seconds: float, settings: str) -> dict[str, Any]:
    """lstm-poem (whichever code is first on the path: see run_phase) with the command line's defaults or the
    Quick demo preset, then its batched multi-temperature generator."""
    from lstm_poem import limits

    limits.set_tensorflow_defaults()  # before TensorFlow loads: this code's own thread settings
    import lstm_poem

    Generator = engine_module("network.generate").Generator
    ModelConfig = engine_module("network.model").ModelConfig
    load_corpus = engine_module("text.corpus").load_corpus
    PRESETS = engine_module("training.presets").PRESETS
    EpochRecord = engine_module("training.records").EpochRecord
    train = engine_module("training.train").train
    TrainConfig = engine_module("training.train_config").TrainConfig

    curve: list[tuple[float, float]] = []

    def on_progress(record) -> None:
        if isinstance(record, EpochRecord):
            curve.append((record.elapsed, record.val_loss))

    if settings == QUICK_DEMO:
        preset = PRESETS[QUICK_DEMO]
        model_config, train_config = preset.model, preset.training  # its own time limit, as the app runs it
    else:
        model_config, train_config = ModelConfig(), TrainConfig(time_limit=float(seconds), seed=42)
    result = train(load_corpus(corpus_path), model_config, train_config, on_progress=on_progress)

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
        "code": str(Path(lstm_poem.__file__).parent.parent),
        "settings": settings,
        "model": model_config.to_dict(),
        "training": train_config.to_dict(),
        "vocab_size": result.poem.tokenizer.vocab_size,
        "curve": curve,
        "epochs": result.epochs_run,
        "best_val_loss": result.best_val_loss,
        "best_epoch": result.best_epoch,
        "stop_reason": result.stop_reason,
        "notes": result.notes,
        "train_seconds": result.seconds,
        "train_tokens_per_s": result.train_tokens_per_s,
        "first_generate_s": cold,
        "generate_s_median": warm,
        "generate_s_all": times,
        "ms_per_char_per_temperature": warm * 1000 / (GEN_LENGTH * len(TEMPERATURES)),
        "sample": generation.samples[1].text[:CLASSIC_CHARS],
    }


def export_ref(ref: str) -> Path:
    """A folder holding REF's code: REF itself when it is a folder, else ``git archive REF`` unpacked in /tmp."""
    if Path(ref).is_dir():
        return Path(ref).resolve()
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    if not sha:
        sys.exit(f"--against {ref}: not a folder and not a commit of this repository.")
    folder = Path("/tmp") / f"lstm-poem-{sha[:12]}"
    if not (folder / "lstm_poem").is_dir():
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True).stdout
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    return folder


def run_phase(name: str, corpus: Path, seconds: float, code: Path = ROOT, settings: str = "") -> dict[str, Any]:
    """Run one phase in a fresh interpreter under the benchmark lock and return its JSON line (with its peak memory)."""
    label = f"{name} {settings} ({code})".replace("  ", " ")
    cmd = [sys.executable, str(SCRIPT), "--phase", name, "--corpus", str(corpus), "--seconds", str(seconds)]
    cmd += ["--code", str(code), "--settings", settings]
    # This phase's lstm_poem comes from ``code``: first on the path, before the installed checkout.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(code.resolve())}
    if name == "classic":  # the notebook way gets the command line's old threading (one thread per op)
        env = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", **env}
    with LOCK.open("a") as lock:
        print(f"waiting for {LOCK} ...", file=sys.stderr, flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
        print(f"running phase {label}...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, env=env, cwd=code, stdout=subprocess.PIPE, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"phase {label} failed (exit code {proc.returncode}); see the messages above.")
    return json.loads(lines[-1])


def best_by(curve: list[tuple[float, float]], seconds: float) -> float | None:
    """The lowest held-out loss among the epochs that ended within ``seconds``."""
    losses = [loss for elapsed, loss in curve if elapsed <= seconds]
    return min(losses) if losses else None


def loss_text(loss: float | None) -> str:
    return f"{loss:.3f}" if loss is not None else "no epoch yet"


def ratio_text(slow: float, fast: float | None) -> str:
    """'N.Nx faster' (or slower) for two durations; empty when either is missing."""
    if not fast or slow <= 0:
        return ""
    ratio = slow / fast
    if ratio < 1:
        return f"{1 / ratio:.2g}x slower"
    return f"{ratio:,.0f}x faster" if ratio >= 10 else f"{ratio:.2g}x faster"


def training_rows(runs: list[tuple[str, dict[str, Any]]], seconds: float) -> list[tuple[str, ...]]:
    """One table row per training run: tokens/s, held-out loss after 45 s and after ``seconds``."""
    rows = []
    for label, run in runs:
        tokens = run.get("train_tokens_per_s")
        rows.append(
            (
                label,
                f"{tokens:,.0f}" if tokens else "(one target per window)",
                loss_text(best_by(run["curve"], EARLY_MARK)),
                loss_text(best_by(run["curve"], seconds)) if run.get("settings") != QUICK_DEMO else "",
                f"{run['epochs']} ({run.get('stop_reason', 'time_limit')})",
            )
        )
    return rows


def comparison_rows(old: dict[str, Any], new: dict[str, Any], seconds: float) -> list[tuple[str, ...]]:
    """This commit against the older one, for one setting: the ratio of tokens/s and the loss differences."""
    name = new["settings"] or "default"
    speedup = new["train_tokens_per_s"] / old["train_tokens_per_s"]
    rows = [(f"{name}: tokens/s, this / older", f"{speedup:.2f}x")]
    marks = [EARLY_MARK] if new["settings"] == QUICK_DEMO else [EARLY_MARK, seconds]
    for mark in marks:
        before, after = best_by(old["curve"], mark), best_by(new["curve"], mark)
        change = f"{after - before:+.3f}" if before is not None and after is not None else "n/a"
        rows.append((f"{name}: held-out loss after {mark:g} s, this - older (nats/char)", change))
    return rows


def generation_rows(classic: dict[str, Any], engine: dict[str, Any]) -> list[tuple[str, ...]]:
    c_ms, e_ms = classic["ms_per_char_per_temperature"], engine["ms_per_char_per_temperature"]
    c_cold, e_cold = classic["first_generate_s"], engine["first_generate_s"]
    c_mb, e_mb = classic["peak_rss_mb"], engine["peak_rss_mb"]
    return [
        ("measure", "classic notebook way", "lstm-poem", "ratio"),
        ("---", "---", "---", "---"),
        ("ms per generated char per temperature (warm)", f"{c_ms:.3g}", f"{e_ms:.3g}", ratio_text(c_ms, e_ms)),
        ("first generation call, cold (s)", f"{c_cold:.2f}", f"{e_cold:.2f}", ""),
        ("peak memory of the phase, train + generate (MB)", f"{c_mb:.0f}", f"{e_mb:.0f}", ""),
    ]


def markdown(rows: list[tuple[str, ...]]) -> str:
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def report(results: dict[str, dict[str, Any]], seconds: float, ref: str | None) -> str:
    """The markdown tables of one run."""
    runs = [("classic notebook way", results["classic"])]
    for key, label in (("default", "command-line default"), ("quick", QUICK_DEMO)):
        if f"{key}_ref" in results:
            runs.append((f"{label}, {ref}", results[f"{key}_ref"]))
        runs.append((f"{label}, this commit", results[key]))
    header = [("run", "tokens/s", f"held-out loss after {EARLY_MARK:g} s", f"after {seconds:g} s", "epochs (stop)")]
    tables = [markdown(header + [("---",) * 5] + training_rows(runs, seconds))]
    if ref:
        compare = [("comparison", "value"), ("---", "---")]
        compare += comparison_rows(results["default_ref"], results["default"], seconds)
        compare += comparison_rows(results["quick_ref"], results["quick"], seconds)
        tables.append(markdown(compare))
    tables.append(markdown(generation_rows(results["classic"], results["default"])))
    return "\n\n".join(tables)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="plain-text corpus")
    parser.add_argument("--seconds", type=float, default=120.0, help="default runs' training budget (s)")
    parser.add_argument("--against", metavar="REF", help="also train with this commit's code (or this checkout folder)")
    parser.add_argument("--json", type=Path, help="write all raw numbers to this file")
    parser.add_argument("--phase", choices=["classic", "engine"], help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--settings", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not corpus.is_file():
        sys.exit(f"corpus not found: {corpus}\nPass one with --corpus PATH.")
    if args.seconds <= 0:
        sys.exit("--seconds must be positive.")

    if args.phase:
        if args.phase == "classic":
            result = phase_classic(corpus, args.seconds)
        else:
            result = phase_engine(corpus, args.seconds, args.settings)
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result), flush=True)
        return

    ref = export_ref(args.against) if args.against else None
    results: dict[str, dict[str, Any]] = {}
    # Older and newer code alternate, so a change in the machine's load hits both alike.
    for key, settings in (("default", ""), ("quick", QUICK_DEMO)):
        if ref:
            results[f"{key}_ref"] = run_phase("engine", corpus, args.seconds, ref, settings)
        results[key] = run_phase("engine", corpus, args.seconds, ROOT, settings)
    results["classic"] = run_phase("classic", corpus, args.seconds)
    results["classic"]["epochs"] = len(results["classic"]["curve"])
    cpu_lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in cpu_lines if line.startswith("model name")), "?")
    machine = f"{cpu}, {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}"
    machine += f", TensorFlow {results['classic']['tensorflow']}, Keras {results['classic']['keras']}"
    command = " ".join(["python", *sys.argv])
    print(report(results, args.seconds, args.against))
    print()
    print(
        "Held-out loss: the best epoch's by that time, in nats per character on the last 10% of the text. "
        "Classic = every held-out char with 40 chars of context before it; lstm-poem = its own validation "
        "(non-overlapping windows of its seq_len, every position scored). tokens/s = characters trained on "
        "per second of the whole run, set-up and validation included."
    )
    print(f"Machine: {machine}")
    print(f"Command: `{command}`")
    if args.json:
        raw = {"command": command, "machine": machine, "corpus": str(corpus), "seconds": args.seconds}
        raw.update(against=args.against, results=results)
        args.json.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
        print(f"Raw numbers written to {args.json}")


if __name__ == "__main__":
    main()

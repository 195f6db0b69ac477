"""Command line: ``python -m lstm_poem train | generate | evaluate | corpora``.

With ``--json`` exactly one JSON object goes to stdout; progress and logs go to
stderr. Bad input ends with exit status 2 and a one-line message, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from lstm_poem import limits
from lstm_poem.checks import ConfigError
from lstm_poem.command_line.parser import build_parser
from lstm_poem.files.bundle import BundleError
from lstm_poem.network.generate import PrimeError
from lstm_poem.network.model import ModelConfig
from lstm_poem.text.corpus import CorpusError, catalog, load_corpus
from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE
from lstm_poem.training.records import EpochRecord, ProgressRecord
from lstm_poem.training.train_config import TRANSFORMER_MODEL, TrainConfig, training_defaults


class UsageError(ValueError):
    """A command-line argument that cannot work (for example, an output folder that does not exist)."""


USER_ERRORS = (CorpusError, ConfigError, BundleError, PrimeError, UsageError)


def _settings(cls, args: argparse.Namespace, defaults: dict[str, Any] | None = None) -> Any:
    """Build a config dataclass from the flags the user actually gave, over ``defaults`` (then the class's)."""
    given = {f.name: getattr(args, f.name) for f in fields(cls) if getattr(args, f.name, None) is not None}
    return cls(**{**(defaults or {}), **given})


def silence_native_stderr() -> None:
    """Point file descriptor 2 at /dev/null while Python keeps writing to the real stderr.

    TensorFlow's C++ code logs start-up notices and oneDNN remarks straight to
    fd 2, ignoring TF_CPP_MIN_LOG_LEVEL; they would bury our one-line messages.
    Set LSTM_POEM_NATIVE_LOGS=1 to see them when debugging.
    """
    if os.environ.get("LSTM_POEM_NATIVE_LOGS"):
        return
    sys.stderr.flush()
    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress_logger(config: TrainConfig) -> Callable[[ProgressRecord], None]:
    """Logs each epoch: losses, patience, learning rate, time, and (for epochs of a fixed number of
    batches) the tokens trained per second of the epoch, held-out scoring and sample included."""
    tokens = config.steps_per_epoch * config.batch_size * config.seq_len
    previous = {"elapsed": 0.0, "epoch": 0}

    def log(record: ProgressRecord) -> None:
        if not isinstance(record, EpochRecord):
            return
        # After a resume the first epoch's time includes the epochs before it; its speed is not shown.
        speed = ""
        if tokens and record.epoch == previous["epoch"] + 1 and record.elapsed > previous["elapsed"]:
            speed = f"  {tokens / (record.elapsed - previous['elapsed']):,.0f} tokens/s"
        previous.update(elapsed=record.elapsed, epoch=record.epoch)
        _log(
            f"epoch {record.epoch:3d}  loss {record.loss:.4f}  held-out {record.val_loss:.4f}  "
            f"best {record.best_val_loss:.4f} (epoch {record.best_epoch})  "
            f"patience {record.epochs_without_improvement}/{record.patience}  lr {record.learning_rate:.2g}  "
            f"{record.elapsed:.0f}s{speed}"
        )
        if record.sample:
            _log("  " + record.sample.replace("\n", "\n  "))

    return log


def _log_checkpoint(folder: Path) -> None:
    """Say whether this run starts fresh or resumes; find out now whether the folder can be made."""
    from lstm_poem.training.checkpoint import read_checkpoint

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"Could not create the checkpoint folder {folder}: {err.strerror}") from None
    resume = read_checkpoint(folder)
    if resume is None:
        _log(f"checkpoints go to {folder} after every epoch; run the same command again to resume")
    else:
        _log(f"resuming the run checkpointed in {folder} after epoch {resume.epochs_done}")


def cmd_train(args: argparse.Namespace) -> dict[str, Any]:
    from lstm_poem.files.bundle import save_bundle
    from lstm_poem.training.train import train

    out = Path(args.out)
    if not out.parent.is_dir():  # find out now, not after minutes of training
        raise UsageError(f"The folder for --out does not exist: {out.parent}")
    model_config = _settings(ModelConfig, args, TRANSFORMER_MODEL if args.cell == "transformer" else None)
    # A new Transformer trains by its own recipe where no flag says otherwise; a fine-tune keeps the LSTMs'.
    train_config = _settings(TrainConfig, args, None if args.init_from else training_defaults(model_config))
    base = None
    if args.init_from:
        from lstm_poem.files.bundle import load_bundle

        if model_config != ModelConfig():
            raise UsageError("With --init-from the architecture is the base model's; drop the model flags.")
        base = load_bundle(args.init_from)
        if args.learning_rate is None:
            train_config = replace(train_config, learning_rate=FINE_TUNE_LEARNING_RATE)
    elif args.freeze_embedding or args.freeze_layers:
        raise UsageError("--freeze-embedding and --freeze-layers only make sense with --init-from.")
    corpus = load_corpus(args.corpus)
    for note in corpus.notes:
        _log(f"note: {note}")
    if args.checkpoint_dir:
        _log_checkpoint(Path(args.checkpoint_dir))
    result = train(corpus, model_config, train_config, on_progress=_progress_logger(train_config), init_from=base)
    for note in result.notes:
        _log(f"note: {note}")
    try:
        save_bundle(result.poem, out, args.weight_dtype)
    except OSError as err:
        raise UsageError(f"Could not write the model to {out}: {err.strerror}") from None
    _log(
        f"stopped: {result.stop_reason.replace('_', ' ')} after {result.epochs_run} epochs; "
        f"kept epoch {result.best_epoch} (held-out {result.best_val_loss:.4f} nats/token, "
        f"{result.val_bits_per_char:.3f} bits/char); saved {args.out}"
    )
    return {**result.summary(), "out": args.out}


def cmd_generate(args: argparse.Namespace) -> dict[str, Any]:
    from lstm_poem.files.bundle import read_bundle

    start = time.perf_counter()
    # A recurrent model writes with NumPy: this command then never imports TensorFlow (docs/cli.md).
    generation = read_bundle(args.model).writer().generate(
        args.prime,
        args.temperatures,
        length=args.length,
        seed=args.seed,
        top_k=args.top_k,
        top_p=args.top_p,
        shared_noise=not args.no_shared_noise,
    )
    if generation.unknown:
        _log(f"note: skipped what the model does not know: {', '.join(map(repr, generation.unknown))}")
    return {
        "prime": generation.prime,
        "samples": [
            {
                "temperature": s.temperature,
                "text": s.text,
                "mean_logprob": s.mean_logprob,
                "perplexity": s.perplexity,
                "tokens": len(s.pieces),
            }
            for s in generation.samples
        ],
        "seconds": time.perf_counter() - start,
        "sampling_seconds": generation.seconds,
        "unknown_chars": generation.unknown,
        "seed": args.seed,
        "shared_noise": not args.no_shared_noise,
    }


def cmd_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    from lstm_poem.files.bundle import load_bundle
    from lstm_poem.measuring.evaluate import evaluate

    poem = load_bundle(args.model)
    return evaluate(poem, load_corpus(args.corpus).text, window=args.window, min_context=args.min_context).to_dict()


def _log_download(received: int, total: int | None) -> None:
    done = f"{received / 1e6:.2f} MB" + (f" of {total / 1e6:.2f} MB" if total else "")
    print(f"\rdownloading: {done}", end="", file=sys.stderr, flush=True)


def cmd_download(name: str) -> dict[str, Any]:
    from lstm_poem.text.download import cached_path, download_classic, find_classic, is_cached

    classic = find_classic(name)
    was_cached = is_cached(classic)
    if not was_cached:
        _log(f"fetching {classic.title} from {classic.source_url}")
    corpus = download_classic(classic, on_progress=_log_download)
    if not was_cached:
        print(file=sys.stderr)
    for note in corpus.notes:
        _log(f"note: {note}")
    return {
        "name": classic.name,
        "title": classic.title,
        "path": str(cached_path(classic)),
        "chars": corpus.n_chars,
        "from_cache": was_cached,
    }


def cmd_corpora(args: argparse.Namespace) -> dict[str, Any]:
    from lstm_poem.text.download import CLASSICS, cached_path, is_cached

    if args.download:
        return cmd_download(args.download)
    entries = catalog()
    return {
        "corpora": [
            {
                "name": e.name,
                "title": e.title,
                "form": e.form,
                "description": e.description,
                "license": e.license,
                "bytes": e.path.stat().st_size if e.path.is_file() else None,
                "path": str(e.path),
            }
            for e in entries
        ],
        "classics": [
            {
                "name": c.name,
                "title": c.title,
                "author": c.author,
                "form": c.form,
                "description": c.description,
                "url": c.url,
                "cached": is_cached(c),
                "path": str(cached_path(c)),
            }
            for c in CLASSICS
        ],
    }


def _print_human(command: str, result: dict[str, Any]) -> None:
    if command == "generate":
        for sample in result["samples"]:
            print(f"--- temperature {sample['temperature']:g} (perplexity {sample['perplexity']:.2f}) ---")
            print(result["prime"] + sample["text"])
            print()
    elif command == "corpora" and "corpora" in result:
        print("Sample corpora (bundled):")
        for entry in result["corpora"]:
            size = f"{entry['bytes']:,} bytes" if entry["bytes"] is not None else "file missing"
            print(f"{entry['name']:<20} {entry['title']} ({entry['form']}, {size})")
            print(f"{'':<20} {entry['description']}")
        print("\nClassics (download with --download NAME; kept in a local cache):")
        for entry in result["classics"]:
            where = "cached" if entry["cached"] else "not downloaded yet"
            print(f"{entry['name']:<24} {entry['title']}, {entry['author']} ({where})")
    else:
        for key, value in result.items():
            print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")


COMMANDS = {"train": cmd_train, "generate": cmd_generate, "evaluate": cmd_evaluate, "corpora": cmd_corpora}


def main(argv: Sequence[str] | None = None) -> int:
    limits.set_tensorflow_defaults()
    args = build_parser().parse_args(argv)
    try:
        result = COMMANDS[args.command](args)
    except USER_ERRORS as err:
        _log(f"error: {err}")
        return 2
    except KeyboardInterrupt:
        _log("error: interrupted")
        return 130
    except Exception as err:  # noqa: BLE001 - the command line must never print a traceback
        _log(f"error: unexpected {type(err).__name__}: {err}")
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_human(args.command, result)
    return 0

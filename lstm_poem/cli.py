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
from lstm_poem.bundle import BundleError
from lstm_poem.corpus import CorpusError, catalog, load_corpus
from lstm_poem.finetune import FINE_TUNE_LEARNING_RATE
from lstm_poem.generate import PrimeError
from lstm_poem.model import ConfigError, ModelConfig
from lstm_poem.records import EpochRecord, ProgressRecord
from lstm_poem.train_config import TrainConfig


class UsageError(ValueError):
    """A command-line argument that cannot work (for example, an output folder that does not exist)."""


USER_ERRORS = (CorpusError, ConfigError, BundleError, PrimeError, UsageError)


def _train_parser(commands) -> None:
    p = commands.add_parser("train", help="train a model on a text file and save it as a .zip bundle")
    p.add_argument("corpus", help="plain-text file of verse")
    p.add_argument("--out", required=True, help="where to write the model bundle (.zip)")
    p.add_argument("--level", choices=["char", "word"], help="tokens are characters or words (default char)")
    p.add_argument(
        "--cell", choices=["lstm", "gru", "rnn", "transformer"], help="recurrent cell type, or a Transformer"
    )
    p.add_argument("--layers", type=int, help="stacked recurrent layers (1-3) or Transformer blocks (1-8)")
    p.add_argument("--units", type=int, help="units per recurrent layer, or a Transformer's width")
    p.add_argument("--heads", type=int, help="Transformer only: attention heads (they split the width)")
    p.add_argument("--context", type=int, help="Transformer only: the longest window its positions cover")
    p.add_argument("--embedding", type=int, help="embedding size")
    p.add_argument("--dropout", type=float, help="dropout after each recurrent layer (0-0.8)")
    p.add_argument("--max-words", type=int, help="vocabulary cap at word level")
    p.add_argument("--seq-len", type=int, help="window length in tokens")
    p.add_argument("--batch-size", type=int, help="windows per batch")
    p.add_argument("--learning-rate", type=float, help="Adam learning rate")
    p.add_argument("--warmup-steps", type=int, help="batches over which the learning rate climbs to its value")
    p.add_argument("--weight-decay", type=float, help="AdamW weight decay (0 = plain Adam)")
    p.add_argument("--epochs", type=int, help="maximum epochs")
    p.add_argument("--patience", type=int, help="epochs without held-out improvement before stopping")
    p.add_argument("--min-delta", type=float, help="smallest drop in held-out loss that counts as improvement")
    p.add_argument(
        "--lr-patience", type=int, help="halve the learning rate after N epochs without improvement (0 = never)"
    )
    p.add_argument(
        "--lr-min-delta", type=float, help="for the learning rate, a smaller drop in held-out loss is no improvement"
    )
    p.add_argument("--val-fraction", type=float, help="share of the text held out")
    p.add_argument(
        "--holdout",
        choices=["tail", "poems"],
        help="hold out the end of the text (default) or every k-th poem (poems separated by two blank lines)",
    )
    p.add_argument("--steps-per-epoch", type=int, help="batches per epoch (default: one pass over the text)")
    p.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="save a resumable checkpoint here after every epoch; if DIR already holds one, continue that run",
    )
    p.add_argument("--seed", type=int, help="random seed for weights, shuffling and dropout")
    p.add_argument("--time-limit", type=float, help="stop after this many seconds (best weights kept)")
    p.add_argument("--sample-length", type=int, help="print a sample (T = 0.5) of this many tokens after each epoch")
    p.add_argument(
        "--init-from",
        metavar="BUNDLE",
        help="fine-tune: start from this model's architecture, vocabulary and weights "
        f"(learning rate {FINE_TUNE_LEARNING_RATE:g} unless given)",
    )
    p.add_argument(
        "--freeze-embedding", action="store_true", default=None, help="with --init-from: keep the embedding fixed"
    )
    p.add_argument("--freeze-layers", type=int, help="with --init-from: keep the lowest N recurrent layers fixed")
    p.add_argument(
        "--precision",
        choices=["float32", "mixed_bfloat16"],
        help="compute precision while training (mixed_bfloat16: faster where the CPU has native bfloat16; "
        "float32 elsewhere)",
    )
    p.add_argument(
        "--weight-dtype",
        choices=["float32", "float16"],
        default="float32",
        help="store the bundle's weights at this precision (float16: half the size; loaded back as float32)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")


def _generate_parser(commands) -> None:
    p = commands.add_parser("generate", help="write poems from a model bundle")
    p.add_argument("model", help="model bundle (.zip)")
    p.add_argument("--prime", default="\n", help="seed text the poem continues")
    p.add_argument("--temperatures", type=float, nargs="+", default=[0.5, 1.0, 1.5], help="one poem per value")
    p.add_argument("--length", type=int, default=400, help="tokens to generate per poem")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same poems)")
    p.add_argument("--top-k", type=int, default=0, help="sample only from the k most likely tokens (0 = off)")
    p.add_argument("--top-p", type=float, default=1.0, help="sample only from the most likely tokens totalling p")
    p.add_argument("--no-shared-noise", action="store_true", help="independent random numbers per temperature")
    p.add_argument("--json", action="store_true", help="print one JSON object with the poems")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lstm_poem", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    _train_parser(commands)
    _generate_parser(commands)
    p = commands.add_parser("evaluate", help="held-out loss of a model on a text")
    p.add_argument("model", help="model bundle (.zip)")
    p.add_argument("corpus", help="plain-text file to score")
    p.add_argument("--json", action="store_true")
    p = commands.add_parser("corpora", help="list the sample corpora and the classics; download a classic")
    p.add_argument("--download", metavar="NAME", help="fetch a classic corpus into the cache and print its path")
    p.add_argument("--json", action="store_true")
    return parser


def _settings(cls, args: argparse.Namespace) -> Any:
    """Build a config dataclass from the flags the user actually gave."""
    given = {f.name: getattr(args, f.name) for f in fields(cls) if getattr(args, f.name, None) is not None}
    return cls(**given)


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
    from lstm_poem.checkpoint import read_checkpoint

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
    from lstm_poem.bundle import save_bundle
    from lstm_poem.train import train

    out = Path(args.out)
    if not out.parent.is_dir():  # find out now, not after minutes of training
        raise UsageError(f"The folder for --out does not exist: {out.parent}")
    model_config = _settings(ModelConfig, args)
    train_config = _settings(TrainConfig, args)
    base = None
    if args.init_from:
        from lstm_poem.bundle import load_bundle

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
    from lstm_poem.bundle import load_bundle
    from lstm_poem.generate import Generator

    start = time.perf_counter()
    poem = load_bundle(args.model)
    generation = Generator(poem).generate(
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
    from lstm_poem.bundle import load_bundle
    from lstm_poem.evaluate import evaluate

    poem = load_bundle(args.model)
    return evaluate(poem, load_corpus(args.corpus).text).to_dict()


def _log_download(received: int, total: int | None) -> None:
    done = f"{received / 1e6:.2f} MB" + (f" of {total / 1e6:.2f} MB" if total else "")
    print(f"\rdownloading: {done}", end="", file=sys.stderr, flush=True)


def cmd_download(name: str) -> dict[str, Any]:
    from lstm_poem.download import cached_path, download_classic, find_classic, is_cached

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
    from lstm_poem.download import CLASSICS, cached_path, is_cached

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

"""A small text trained too long copies itself back out; a model trained well on a lot of text does not.

Trains the engine's default network for 200 epochs (early stopping off) on the
first 5 KB of the project's ballads, then writes on the Generate page's defaults
(its seed line, 400 characters, shared random numbers) at T = 0.2 and checks the
poem against the 5 KB: with the weights of the 200th epoch (read from the run's
checkpoint), and with the best held-out epoch's, which training restores and the
app would write with. The pretrained Frost model writes the same way at T = 1.0
and is checked against everything it trained on (Frost's two books and the 18 MB
of verse under them). Several random seeds, so one lucky poem decides nothing.
With ``--sample-length`` it also reports the copied share of the per-epoch
samples (T = 0.5) and the held-out loss every 20 epochs: the Train page's chart.

Usage (from the repo root)::

    nice -n 5 python bench/memorising.py [--epochs 200] [--seeds 42 1 2 3 4] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.files.pretrained import pretrained_catalog  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.network.generate import Generator  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.network.model import ModelConfig  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.teaching.copy_sources import pretrained_sources  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.teaching.copying import CopyIndex, check_copying  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.text.corpus import SAMPLE_DIR  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.training.checkpoint import read_checkpoint  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.training.train import train  # noqa: E402 - after the TensorFlow defaults
from lstm_poem.training.train_config import TrainConfig  # noqa: E402 - after the TensorFlow defaults

ROOT = Path(__file__).resolve().parent.parent

SEED_TEXT = "Two roads diverged in a yellow wood,\n"  # the Generate page's default
LENGTH = 400
SMALL_BYTES = 5000


def small_corpus() -> str:
    """The first 5 KB of the ballads, cut at the last stanza break before it."""
    text = (SAMPLE_DIR / "ballads.txt").read_text(encoding="utf-8")
    return text[: text.rfind("\n\n", 0, SMALL_BYTES)].strip("\n") + "\n"


def copied_shares(generator: Generator, temperature: float, indexes: list[CopyIndex], seeds: list[int]) -> list:
    shares = []
    for seed in seeds:
        generation = generator.generate(SEED_TEXT, [temperature], length=LENGTH, seed=seed)
        poem = generation.samples[0].text
        shares.append(round(check_copying(generation.prime + poem, indexes, skip=len(generation.prime)).share, 3))
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2, 3, 4])
    parser.add_argument("--sample-length", type=int, default=160, help="per-epoch sample (T = 0.5); 0 = none")
    parser.add_argument(
        "--lr-patience",
        type=int,
        default=0,
        help="halve the learning rate after this many epochs without "
        "held-out progress (the app's default is 1; 0 = never, so the 200 epochs keep learning the text)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    text = small_corpus()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        config = TrainConfig(
            epochs=args.epochs,
            patience=args.epochs,
            lr_patience=args.lr_patience,
            sample_length=args.sample_length,
            seed=42,
            checkpoint_dir=folder,
        )
        result = train(text, ModelConfig(), config)
        last_weights = read_checkpoint(folder).weights  # the 200th epoch's, before early stopping's restore
    small_index = CopyIndex(text, "ballads, first 5 KB")
    best = copied_shares(Generator(result.poem), 0.2, [small_index], args.seeds)
    result.poem.network.set_weights(last_weights)
    small = copied_shares(Generator(result.poem), 0.2, [small_index], args.seeds)
    per_epoch = [
        {
            "epoch": record.epoch,
            "loss": round(record.loss, 3),
            "val_loss": round(record.val_loss, 3),
            "sample_copied": round(check_copying(record.sample, [small_index], skip=record.sample_seed_chars).share, 3),
        }
        for record in result.history
        if record.sample and (record.epoch % 20 == 0 or record.epoch in (1, 5, 10))
    ]
    sources = pretrained_sources("frost")
    if sources is None:
        sys.exit("the Frost model's training texts (../shared/corpora) are not here")
    frost = next(model for model in pretrained_catalog() if model.name == "frost")
    frost_indexes = [CopyIndex(source.read(), source.name) for source in sources]
    pretrained = copied_shares(Generator(frost.load()), 1.0, frost_indexes, args.seeds)
    report = {
        "small_corpus_chars": len(text),
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "best_val_loss": round(result.best_val_loss, 3),
        "final_train_loss": round(result.history[-1].loss, 3),
        "final_val_loss": round(result.history[-1].val_loss, 3),
        "seeds": args.seeds,
        "small_model_last_epoch_T0.2_copied": small,
        "small_model_last_epoch_T0.2_mean": round(statistics.mean(small), 3),
        "small_model_best_epoch_T0.2_copied": best,
        "small_model_best_epoch_T0.2_mean": round(statistics.mean(best), 3),
        "frost_T1.0_copied": pretrained,
        "frost_T1.0_mean": round(statistics.mean(pretrained), 3),
        "per_epoch_samples_T0.5": per_epoch,
        "seconds": round(time.perf_counter() - start, 1),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Which fine-tuning recipe gets Frost and the sonnets furthest from the verse base?

Each variant fine-tunes one base bundle on one target (Frost's two books joined,
or Shakespeare's sonnets), holding out the last 10% exactly as
``scripts/train_pretrained.py`` does, so the figures are the catalog's. A
variant may change the learning rate and the dropout (dropout is not a weight:
a small corpus can take more of it than the base was trained with), and may go
through an intermediate text first (``via``: the base fine-tuned on that corpus,
then on the target). One JSON line per variant: held-out loss, best epoch,
epochs run, seconds.

Usage (from the repo root; needs ../shared/corpora)::

    python bench/finetune_recipes.py BASE.zip --target frost --dropout 0.1 0.3 --learning-rate 0.002 0.001
    python bench/finetune_recipes.py BASE.zip --target sonnets --via tinyshakespeare.txt
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from scripts import train_pretrained as recipes  # first: it sets TensorFlow's defaults

# isort: split

from lstm_poem.files.bundle import load_bundle
from lstm_poem.network.model import PoemModel
from lstm_poem.text.corpus import corpus_from_text
from lstm_poem.training.train import train
from lstm_poem.training.train_config import TrainConfig

SHARED = recipes.SHARED_CORPORA
TARGETS = ("frost", "sonnets")


def target_text(name: str) -> str:
    """The target's training text, exactly as scripts/train_pretrained.py gives it to its recipe."""
    recipe = next(r for r in recipes.RECIPES if r.name == name)
    with tempfile.TemporaryDirectory() as workdir:
        return recipes.corpus_file(recipe, Path(workdir))[0].read_text(encoding="utf-8")


def fine_tune(base: PoemModel, text: str, name: str, dropout: float, learning_rate: float, **settings) -> tuple:
    start = replace(base, config=replace(base.config, dropout=dropout))
    config = TrainConfig(
        learning_rate=learning_rate,
        epochs=settings.pop("epochs", 60),
        patience=settings.pop("patience", 5),
        precision="mixed_bfloat16",
        **settings,
    )
    result = train(corpus_from_text(text, name=name), train_config=config, init_from=start)
    return result.poem, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the base bundle (.zip)")
    parser.add_argument("--target", choices=TARGETS, required=True)
    parser.add_argument("--dropout", type=float, nargs="+", default=[0.1])
    parser.add_argument("--learning-rate", type=float, nargs="+", default=[0.002])
    parser.add_argument("--via", help="a corpus in ../shared/corpora to fine-tune on first (its last 10%% held out)")
    parser.add_argument("--via-steps", type=int, default=200, help="batches per epoch of the intermediate step")
    parser.add_argument("--via-epochs", type=int, default=3, help="epochs of the intermediate step")
    args = parser.parse_args()
    base = load_bundle(args.base)
    if args.via:
        base, first = fine_tune(
            base,
            (SHARED / args.via).read_text(encoding="utf-8"),
            args.via,
            base.config.dropout,
            0.002,
            steps_per_epoch=args.via_steps,
            epochs=args.via_epochs,
            batch_size=64,
            patience=2,
        )
        print(
            json.dumps(
                {
                    "via": args.via,
                    "held_out": round(first.best_val_loss, 4),
                    "epochs": first.epochs_run,
                    "seconds": round(first.seconds),
                }
            ),
            flush=True,
        )
    text = target_text(args.target)
    for dropout in args.dropout:
        for learning_rate in args.learning_rate:
            _, result = fine_tune(base, text, args.target, dropout, learning_rate)
            row = {
                "target": args.target,
                "base": args.base,
                "via": args.via,
                "dropout": dropout,
                "learning_rate": learning_rate,
                "held_out": round(result.best_val_loss, 4),
                "best_epoch": result.best_epoch,
                "epochs_run": result.epochs_run,
                "seconds": round(result.seconds),
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

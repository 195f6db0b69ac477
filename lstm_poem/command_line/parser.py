"""The command line's arguments: every command, its flags and their help."""

from __future__ import annotations

import argparse

from lstm_poem.training.finetune import FINE_TUNE_LEARNING_RATE

DESCRIPTION = "Command line: ``python -m lstm_poem train | generate | evaluate | corpora``."


def _train_command(commands) -> None:
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
    p.add_argument("--batch-size", type=int, help="windows per batch (default 32; a Transformer's 12)")
    p.add_argument("--learning-rate", type=float, help="Adam learning rate (default 0.01; a Transformer's 0.001)")
    p.add_argument(
        "--warmup-steps",
        type=int,
        help="batches over which the learning rate climbs to its value (default 0; a Transformer's 100)",
    )
    p.add_argument("--weight-decay", type=float, help="AdamW weight decay (0 = plain Adam; a Transformer's 0.1)")
    p.add_argument("--adam-beta-2", type=float, help="Adam's second-moment decay (default 0.999; a Transformer's 0.99)")
    p.add_argument(
        "--decay-to",
        type=float,
        help="after the warm-up, lower the learning rate along a cosine to this by the end of the run "
        "(the time limit, else the last epoch) instead of halving it on plateaus (a Transformer's: 0.0001)",
    )
    p.add_argument("--epochs", type=int, help="maximum epochs")
    p.add_argument("--patience", type=int, help="epochs without held-out improvement before stopping")
    p.add_argument("--min-delta", type=float, help="smallest drop in held-out loss that counts as improvement")
    p.add_argument(
        "--lr-patience",
        type=int,
        help="halve the learning rate after N epochs without improvement (0 = never, a Transformer's default)",
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


def _generate_command(commands) -> None:
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
    parser = argparse.ArgumentParser(prog="python -m lstm_poem", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    _train_command(commands)
    _generate_command(commands)
    p = commands.add_parser("evaluate", help="held-out loss of a model on a text")
    p.add_argument("model", help="model bundle (.zip)")
    p.add_argument("corpus", help="plain-text file to score")
    p.add_argument("--window", type=int, help="tokens per window, each from an empty context (default: as trained)")
    p.add_argument(
        "--min-context",
        type=int,
        default=0,
        help="overlap the windows so that every token is scored with at least this many before it",
    )
    p.add_argument("--json", action="store_true")
    p = commands.add_parser("corpora", help="list the sample corpora and the classics; download a classic")
    p.add_argument("--download", metavar="NAME", help="fetch a classic corpus into the cache and print its path")
    p.add_argument("--json", action="store_true")
    return parser

"""The fair race: the LSTM against the Transformer at equal time, on one split, scored the same two ways.

The sonnets are cut once: the first 90% to train on, the last 10% held out (no network ever trains on
it; each training still holds out the end of its own part for early stopping, as
``python -m lstm_poem train TRAIN`` does). Each network trains from seed 42 for ``--seconds`` (120 by
default) with the command line's defaults for its kind, one after another in this process, and is then
scored on the held-out text two ways, the same for both:

- windows of 64 characters, each read from an empty context (what training reports);
- every character with at least 32 characters of context before it (overlapping windows of 64).

It prints each one's training tokens per second and both losses in nats per character. The peer it
is measured against (a nanoGPT-style character Transformer in PyTorch, issue 34) is written out below
as a configuration beside ours, with the figures the issue measured for it; this bench does not run it.

Usage (from the repo root; needs ../shared/corpora)::

    flock /tmp/lstm-poem-bench.lock python bench/fair_race.py [--seconds 120] [--only lstm] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.measuring.evaluate import evaluate  # noqa: E402
from lstm_poem.network.model import ModelConfig  # noqa: E402
from lstm_poem.text.corpus import corpus_from_text, load_corpus  # noqa: E402
from lstm_poem.training.train import train  # noqa: E402
from lstm_poem.training.train_config import TRANSFORMER_MODEL, TrainConfig, training_defaults  # noqa: E402

SONNETS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "shakespeare_sonnets.txt"
TRAIN_SHARE = 0.9
WINDOW, MIN_CONTEXT = 64, 32

# The peer: nanoGPT's character model on a CPU, as issue 34 ran it (PyTorch, same split, 120 s). Its
# names are nanoGPT's; OURS below says what each becomes in this engine.
PEER_RECIPE = {
    "n_layer": 4,
    "n_embd": 128,
    "n_head": 4,
    "block_size": 64,
    "dropout": 0.0,
    "bias": True,
    "tied embeddings, pre-LayerNorm, GELU": True,
    "init": "normal(0, 0.02); c_proj weights 0.02 / sqrt(2 * n_layer)",
    "batch_size": 12,
    "optimizer": "AdamW, learning_rate 1e-3, betas (0.9, 0.99), weight_decay 0.1 on >= 2-D parameters",
    "warmup_iters": 100,
    "decay": "cosine to min_lr 1e-4 over the run",
    "grad_clip": 1.0,
}
PEER_MEASURED = {"tokens_per_s": 14_252, "windows_of_64": 1.673, "context_32": 1.643}

SHAPE = {"layers": 4, "units": 128, "heads": 4, "context": 64}
RACERS = {
    # The command line's defaults for each kind: `train TRAIN` and `train TRAIN --cell transformer ...shape`.
    "LSTM 256 (the default)": (ModelConfig(), {}),
    "Transformer 4 x 128 (shape flags only)": (
        ModelConfig(**{**TRANSFORMER_MODEL, "cell": "transformer", **SHAPE}),
        {"seq_len": 64},
    ),
}


def split_sonnets() -> tuple[str, str]:
    text = load_corpus(SONNETS).text
    cut = int(len(text) * TRAIN_SHARE)
    return text[:cut], text[cut:]


def race(name: str, model: ModelConfig, flags: dict, train_text: str, heldout: str, seconds: float) -> dict:
    config = TrainConfig(**{**training_defaults(model), **flags, "time_limit": seconds})
    cpu = time.process_time()
    result = train(corpus_from_text(train_text), model, config)
    windows = evaluate(result.poem, heldout, window=WINDOW)
    context = evaluate(result.poem, heldout, window=WINDOW, min_context=MIN_CONTEXT)
    return {
        "settings": {key: value for key, value in config.to_dict().items() if key in RECIPE_FIELDS},
        "tokens_per_s": round(result.train_tokens_per_s),
        "windows_of_64": round(windows.loss, 4),
        "context_32": round(context.loss, 4),
        "epochs": len(result.history),
        "stopped_by": result.stop_reason,
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "weights": model.parameter_count(result.poem.tokenizer.vocab_size),
    }


RECIPE_FIELDS = ("seq_len", "batch_size", "learning_rate", "warmup_steps", "weight_decay", "adam_beta_2", "decay_to")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--only", choices=["lstm", "transformer"], help="race one network only")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    train_text, heldout = split_sonnets()
    print(f"training on {len(train_text):,} characters, {len(heldout):,} held out; {args.seconds:g} s each")
    print(f"peer (nanoGPT, PyTorch, measured in issue 34): {json.dumps(PEER_MEASURED)}")
    print(f"  recipe {json.dumps(PEER_RECIPE)}")
    results = {}
    for name, (model, flags) in RACERS.items():
        if args.only and args.only not in model.cell:
            continue
        results[name] = race(name, model, flags, train_text, heldout, args.seconds)
        row = results[name]
        print(
            f"{name:40} {row['tokens_per_s']:7,} tokens/s  windows of {WINDOW}: {row['windows_of_64']:.3f}  "
            f"context >= {MIN_CONTEXT}: {row['context_32']:.3f} nats/char  ({row['epochs']} epochs)\n"
            f"  settings {json.dumps(row['settings'])}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"peer": PEER_MEASURED, **results}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

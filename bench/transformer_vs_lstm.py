"""The LSTM against a small Transformer at equal training time on Shakespeare's sonnets.

Each setup trains from seed 42 on the sonnets with their last 10% held out, for
the same wall-clock seconds (``--seconds``, 120 by default, the command line's
budget in the README), one after another in this process under the benchmark
lock. It prints each one's best held-out loss in nats per character, its epochs,
the tokens it trained per second and the CPU seconds the process spent, so a run
on a busy machine can be judged by CPU time too.

Usage (from the repo root; needs ../shared/corpora)::

    flock /tmp/lstm-poem-bench.lock python bench/transformer_vs_lstm.py [--seconds 120] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lstm_poem import limits

limits.set_tensorflow_defaults()

from lstm_poem.network.model import ModelConfig  # noqa: E402
from lstm_poem.text.corpus import load_corpus  # noqa: E402
from lstm_poem.training.train import train  # noqa: E402
from lstm_poem.training.train_config import TrainConfig  # noqa: E402

SONNETS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "shakespeare_sonnets.txt"
GPT_TRAINING = {"learning_rate": 0.002, "warmup_steps": 100, "weight_decay": 0.1}
SETUPS = {
    "LSTM 256 (the command line's default)": (ModelConfig(), TrainConfig()),
    "Transformer 4x128, 4 heads, context 64 (nanoGPT's CPU shape)": (
        ModelConfig(cell="transformer", layers=4, units=128, heads=4, context=64, dropout=0.0),
        TrainConfig(seq_len=64, **GPT_TRAINING),
    ),
    "Transformer 2x128, 4 heads, context 100": (
        ModelConfig(cell="transformer", layers=2, units=128, heads=4, context=100, dropout=0.1),
        TrainConfig(seq_len=100, **GPT_TRAINING),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    corpus = load_corpus(SONNETS)
    results = {}
    for name, (model, training) in SETUPS.items():
        config = TrainConfig(**{**training.to_dict(), "time_limit": args.seconds, "epochs": 500, "patience": 5})
        cpu = time.process_time()
        result = train(corpus, model, config)
        results[name] = {
            "held_out_nats_per_char": round(result.best_val_loss, 4),
            "epochs": len(result.history),
            "best_epoch": result.best_epoch,
            "stopped_by": result.stop_reason,
            "tokens_per_s": round(result.train_tokens_per_s),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "weights": model.parameter_count(result.poem.tokenizer.vocab_size),
        }
        print(json.dumps({name: results[name]}), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

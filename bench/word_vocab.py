"""How many words should a word-level verse model know?

Fits the word tokenizer to the training part of english_verse.txt (every 10th
poem held out, as the verse base does) at several vocabulary sizes and reports,
for each: the share of held-out word tokens it knows (the verse's held-out poems,
the sonnets' last 10%, Frost's last 10%), and the weights and float16 bundle
size of a one-layer LSTM with that vocabulary. Every unknown held-out word is
charged its spelling when bits per character are compared with the character
models (lstm_poem.measuring.scoring.held_out_loss), so coverage is what a larger
vocabulary buys, and the 4 MB bundle budget is what it costs.

Usage (from the repo root; needs ../shared/corpora)::

    python bench/word_vocab.py [--sizes 2000 4000 8000 12000 16000] [--units 256] [--embedding 128]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lstm_poem.text.tokenizer import WordTokenizer, word_tokens
from lstm_poem.training.data import heldout_start, split_poems

ROOT = Path(__file__).resolve().parent.parent

SHARED = ROOT.parent / "shared" / "corpora"
BUNDLE_BYTES_PER_WEIGHT = 2  # float16


def tail(text: str) -> str:
    return text[heldout_start(len(text), 100, 0.1) :]


def lstm_weights(vocab: int, embedding: int, units: int) -> int:
    recurrent = 4 * units * (embedding + units + 1)
    return vocab * embedding + recurrent + units * vocab + vocab


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000, 12000, 16000])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--embedding", type=int, default=128)
    args = parser.parse_args()
    training, held = split_poems((SHARED / "english_verse.txt").read_text(encoding="utf-8"), 0.1)
    frost = "".join(
        (SHARED / f).read_text(encoding="utf-8") for f in ("frost_north_of_boston.txt", "frost_mountain_interval.txt")
    )
    scored = {
        "verse held-out poems": word_tokens(held),
        "sonnets' last 10%": word_tokens(tail((SHARED / "shakespeare_sonnets.txt").read_text(encoding="utf-8"))),
        "Frost's last 10%": word_tokens(tail(frost)),
    }
    pieces = word_tokens(training)
    distinct = len(set(pieces))
    print(f"training part: {len(pieces):,} word tokens, {distinct:,} distinct\n")
    print(
        f"| words known | {' | '.join(scored)} | weights (LSTM {args.units}, embedding {args.embedding}) "
        "| float16 bundle |"
    )
    print("|---:|" + "---:|" * (len(scored) + 2))
    for size in args.sizes:
        known = set(WordTokenizer.fit_pieces(pieces, size).tokens)
        shares = [sum(token in known for token in tokens) / len(tokens) for tokens in scored.values()]
        weights = lstm_weights(size, args.embedding, args.units)
        print(
            f"| {size:,} | "
            + " | ".join(f"{share:.1%}" for share in shares)
            + f" | {weights:,} | {weights * BUNDLE_BYTES_PER_WEIGHT / 1e6:.1f} MB |"
        )


if __name__ == "__main__":
    main()

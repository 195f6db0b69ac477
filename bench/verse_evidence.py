"""Before and after: the pretrained models' held-out loss and what their verse looks like.

For every model of each catalog given (for example the one in ``pretrained/``
and a copy of an older one), this scores

- the held-out loss (nats/char) on the sonnets' and Frost's held-out tails,
  cut exactly as ``scripts/train_pretrained.py`` cuts them for fine-tuning, and
  the same in bits/char with a word model's unknown words charged their spelling
  (``lstm_poem.measuring.scoring.held_out_loss``), the axis both levels share;
- over 20 seeds at T = 0.5 and T = 1.0 (400 characters each, primed with the
  model's own seed line): the share of words that occur in the model's training
  texts (the words its bundle lists, base model's included), the share that
  occur in its own corpus alone, and the share of repeated 3-word phrases;
- the first lines it writes at T = 0.5 from seed 42.

Usage (from the repo root; needs ../shared/corpora)::

    python bench/verse_evidence.py pretrained /path/to/old/pretrained [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from scripts import train_pretrained as recipes  # first: it sets TensorFlow's defaults

# isort: split

from lstm_poem.files.pretrained import pretrained_catalog
from lstm_poem.measuring.evaluate import evaluate
from lstm_poem.measuring.poem_stats import real_word_share, repetition
from lstm_poem.measuring.scoring import held_out_loss, poem_length
from lstm_poem.network.generate import Generator
from lstm_poem.text.tokenizer import words

SEEDS = range(20)
TEMPERATURES = (0.5, 1.0)
LENGTH = 400
PRIMES = {
    "sonnets": "Shall I compare thee to a summer's day?\n",
    "frost": "Two roads diverged in a yellow wood,\n",
}
DEFAULT_PRIME = "The moon was rising on the hill,\n"
SCORED = ("sonnets", "frost")


def score_model(item, held_out: dict[str, str], own_words: dict[str, frozenset[str]]) -> dict:
    poem = item.load()
    known = frozenset(poem.info.get("corpus", {}).get("words", []))
    own = own_words.get(item.name, known)
    prime = PRIMES.get(item.name, DEFAULT_PRIME)
    generator = Generator(poem)
    length = poem_length(poem, LENGTH)  # a word model writes about as many characters in fewer steps
    stats: dict[float, dict[str, list[float]]] = {t: {"real": [], "own": [], "repeat": []} for t in TEMPERATURES}
    for seed in SEEDS:
        for sample in generator.generate(prime, list(TEMPERATURES), length=length, seed=seed).samples:
            row = stats[sample.temperature]
            row["real"].append(real_word_share(sample.text, known) or 0.0)
            row["own"].append(real_word_share(sample.text, own) or 0.0)
            row["repeat"].append(repetition(sample.text))
    example = generator.generate(prime, [0.5], length=length, seed=42).samples[0].text
    return {
        "model": item.name,
        "held_out_loss": {name: round(evaluate(poem, text).loss, 4) for name, text in held_out.items()},
        "bits_per_char": {name: round(held_out_loss(poem, text).bits_per_char, 4) for name, text in held_out.items()},
        "by_temperature": {
            str(t): {key: round(statistics.mean(values), 4) for key, values in row.items()} for t, row in stats.items()
        },
        "prime": prime,
        "example": "\n".join((prime + example).split("\n")[:6]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalogs", nargs="+", type=Path, help="folders holding a catalog.json and its bundles")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    by_name = {r.name: r for r in recipes.RECIPES}
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        corpora = {name: recipes.corpus_file(by_name[name], Path(workdir))[0] for name in SCORED}
        held_out = {name: recipes.held_out_text(by_name[name], path) for name, path in corpora.items()}
        own_words = {name: frozenset(w.lower() for w in words(path.read_text())) for name, path in corpora.items()}
    for folder in args.catalogs:
        results[str(folder)] = rows = []
        for item in pretrained_catalog(folder):
            rows.append(score_model(item, held_out, own_words))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Re-train the pretrained demo models in ``pretrained/`` and rewrite their catalog.

Each recipe is one run of the project's own command line with a fixed seed and
a fixed epoch budget (no time limit), so the same machine gives the same model.
The held-out loss recorded is the one training reports on its held-out text
(the last 10% of the training text, or every 10th poem for the verse base).

Usage (from the repo root; needs ``../shared/corpora``)::

    python scripts/train_pretrained.py                     # everything: many hours on 2 cores
    python scripts/train_pretrained.py --only verse_base   # the base alone; resumes its checkpoint
    python scripts/train_pretrained.py --snapshot          # ship the base's best checkpoint so far
    python scripts/train_pretrained.py --only frost        # one fine-tune, a few minutes

The recipes run in order: the verse base first (it reads 18 MB of verse and
runs for hours, printing the held-out loss every few minutes, with a resumable
checkpoint in ``../verse-run/verse_base`` after each of its "epochs" of a fixed
number of batches; kill it at any time and run the same command to continue),
then the models fine-tuned from it. The base model's scores on the fine-tuned
models' held-out texts, before any fine-tuning, go into its catalog entry.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lstm_poem import limits
from lstm_poem.files.pretrained import PRETRAINED_DIR
from lstm_poem.measuring.scoring import split_at_stanza
from lstm_poem.text.corpus import catalog

ROOT = Path(__file__).resolve().parent.parent

limits.set_tensorflow_defaults()  # before anything here imports TensorFlow

SHARED_CORPORA = ROOT.parent / "shared" / "corpora"
# Outside the worktree, so that a long run's checkpoints outlive a wiped checkout.
CHECKPOINT_ROOT = ROOT.parent / "verse-run"
MAX_BUNDLE_BYTES = 4_000_000  # keeps the repository small
VAL_FRACTION = 0.1
SEQ_LEN = 100  # the engine's default window, which every recipe keeps
# The verse corpus is 18 MB; the app's 10 MB cap on uploads does not apply to this script.
CORPUS_BYTES = "25000000"


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    description: str
    corpus: str  # in words, for the catalog
    corpus_files: tuple[str, ...]  # files in ../shared/corpora, joined in this order; () = the sample corpora
    flags: tuple[str, ...]
    base: str | None = None  # fine-tune from this recipe's bundle
    held_out: str = "the last 10% of the training text"
    checkpoint: bool = False  # a long run: resumable checkpoints in CHECKPOINT_ROOT / name


# float16 weights keep a 512-unit network's bundle under MAX_BUNDLE_BYTES (the held-out loss moves by
# well under 0.002 nats/char; the catalog records the figure). This machine's CPU has native bfloat16,
# which trains about 1.3x faster at the same held-out loss (bench/bench_verse_base.py); elsewhere the
# engine falls back to float32.
HALF = ("--weight-dtype", "float16", "--precision", "mixed_bfloat16")

# The Transformers train in float32: bfloat16 made them no faster here (bench/bench_transformer_sizes.py).
HALF_WEIGHTS = ("--weight-dtype", "float16")
# The verse Transformer's shape: 4 blocks 192 wide (1.85 M weights, a float16 bundle under 4 MB), 4 heads,
# 256 characters of context (about six lines of verse). Fine-tunes keep its window; batches of 16 windows
# of 256 are as many characters a step as the LSTMs' 64 of 100 would be, near enough (4,096 against 6,400).
TRANSFORMER_WINDOW = ("--seq-len", "256", "--batch-size", "16")
# AdamW with a warm-up at a smaller rate than a fresh run's, as the LSTM fine-tunes use a smaller rate too.
TRANSFORMER_FINE_TUNE = ("--learning-rate", "0.0005", "--warmup-steps", "50", "--weight-decay", "0.1")

RECIPES = (
    Recipe(
        "verse_base",
        "English verse (base model)",
        "A general model of English verse: 8,868 poems by 65 poets who died before 1910 (Wordsworth to "
        "Christina Rossetti). Write with it, or start your own training from it.",
        "english_verse.txt (8,868 public-domain poems, 18.3 MB), ../shared/corpora; every 10th poem held out",
        ("english_verse.txt",),
        (
            "--holdout", "poems", "--units", "512", "--dropout", "0.1", "--batch-size", "64",
            "--learning-rate", "0.005", "--lr-min-delta", "0.002", "--steps-per-epoch", "400",
            "--epochs", "300", "--patience", "4", *HALF,
        ),
        held_out="every 10th poem of english_verse.txt (886 poems, 1.6 MB)",
        checkpoint=True,
    ),
    Recipe(
        "verse_words",
        "English verse, word by word",
        "The same 8,868 poems read a word at a time: every word it writes is a real one, but it knows only "
        "its 6,000 commonest words and punctuation marks, and any other word is out of its reach.",
        "english_verse.txt (8,868 public-domain poems, 18.3 MB), ../shared/corpora; every 10th poem held out",
        ("english_verse.txt",),
        # 6,000 words is the largest vocabulary whose float16 bundle stays under 4 MB with a useful
        # network (bench/word_vocab.py: 90% of the held-out verse's words, 92.6% of the sonnets').
        (
            "--level", "word", "--max-words", "6000", "--embedding", "64", "--units", "192",
            "--dropout", "0.1", "--seq-len", "30", "--batch-size", "64", "--learning-rate", "0.005",
            "--holdout", "poems", "--steps-per-epoch", "400", "--epochs", "300", "--patience", "3", *HALF,
        ),
        held_out="every 10th poem of english_verse.txt (886 poems, 1.6 MB)",
        checkpoint=True,
    ),
    Recipe(
        "plays",
        "Shakespeare's plays",
        "Speeches from the plays, with speaker names in capitals: the classic char-rnn demo, fine-tuned from "
        "the verse base, and the step between it and the sonnets.",
        "Tiny Shakespeare (karpathy/char-rnn), ../shared/corpora/tinyshakespeare.txt",
        ("tinyshakespeare.txt",),
        # Three "epochs" of 200 batches of 64 windows of 100 characters (3.84 M characters, about four
        # passes over the plays' training part). Eight scored the plays better (1.3995 against 1.4120) but
        # the sonnets fine-tuned from them worse (1.2767 against 1.2690): more plays, less verse.
        ("--batch-size", "64", "--steps-per-epoch", "200", "--epochs", "3", "--patience", "2", *HALF),
        base="verse_base",
    ),
    Recipe(
        "sonnets",
        "Shakespeare's sonnets",
        "Pentameter lines, thee and thou, rhyme words at line ends. Fine-tuned from the plays model, itself "
        "fine-tuned from the verse base: English verse first, then Shakespeare's words, then his sonnets.",
        "Shakespeare's Sonnets (Project Gutenberg #1041), ../shared/corpora/shakespeare_sonnets.txt",
        ("shakespeare_sonnets.txt",),
        ("--epochs", "60", "--patience", "6", *HALF),
        # Through the plays rather than straight from the verse base: 1.284 against 1.300 nats/char from
        # the base's 15th epoch (bench/finetune_recipes.py --via tinyshakespeare.txt).
        base="plays",
        held_out="the sonnets' last 10%",
    ),
    Recipe(
        "frost",
        "Robert Frost",
        "Plain-spoken blank verse and lyrics of New England, the voice of \"The Road Not Taken\" (the Generate "
        "page's default seed). Fine-tuned from the verse base model.",
        "Frost's North of Boston (1914) and Mountain Interval (1916), ../shared/corpora, joined in that order",
        ("frost_north_of_boston.txt", "frost_mountain_interval.txt"),
        ("--epochs", "60", "--patience", "6", *HALF),
        base="verse_base",
        held_out="the last 10% of the two books joined (the end of Mountain Interval)",
    ),
    Recipe(
        "sample_verse",
        "lstm-poem sample verse",
        "The verse base fine-tuned on the project's own sonnets, haiku, limericks, ballads and free verse: "
        "seed it with the start of any of those forms and it follows.",
        "all corpora in sample_corpora/ (original CC0 verse), each one's last tenth moved to the end",
        (),
        ("--epochs", "60", "--patience", "6", *HALF),
        base="verse_base",
        held_out="the last 10% of each sample corpus",
    ),
)


TRANSFORMER_RECIPES = (
    Recipe(
        "verse_transformer",
        "English verse, a small GPT (base model)",
        "The verse base's 8,868 poems read by a decoder-only Transformer, the kind of network GPT is: each "
        "character looks back at the last 256 through attention instead of carrying a memory along.",
        "english_verse.txt (8,868 public-domain poems, 18.3 MB), ../shared/corpora; every 10th poem held out",
        ("english_verse.txt",),
        (
            "--holdout", "poems", "--cell", "transformer", "--layers", "4", "--units", "192", "--heads", "4",
            "--context", "256", *TRANSFORMER_WINDOW, "--dropout", "0.1", "--learning-rate", "0.002",
            "--warmup-steps", "200", "--weight-decay", "0.1", "--lr-min-delta", "0.002",
            "--steps-per-epoch", "200", "--epochs", "300", "--patience", "4", *HALF_WEIGHTS,
        ),  # fmt: skip
        held_out="every 10th poem of english_verse.txt (886 poems, 1.6 MB)",
        checkpoint=True,
    ),
    Recipe(
        "transformer_plays",
        "Shakespeare's plays, a small GPT",
        "The verse Transformer fine-tuned on the plays, the step to the sonnets (as for the LSTMs).",
        "Tiny Shakespeare (karpathy/char-rnn), ../shared/corpora/tinyshakespeare.txt",
        ("tinyshakespeare.txt",),
        (*TRANSFORMER_WINDOW, *TRANSFORMER_FINE_TUNE, "--steps-per-epoch", "200", "--epochs", "3",
         "--patience", "2", *HALF_WEIGHTS),  # fmt: skip
        base="verse_transformer",
    ),
    Recipe(
        "transformer_sonnets",
        "Shakespeare's sonnets, a small GPT",
        "The verse Transformer through the plays to the sonnets: the LSTM sonnets model's recipe, on a "
        "Transformer.",
        "Shakespeare's Sonnets (Project Gutenberg #1041), ../shared/corpora/shakespeare_sonnets.txt",
        ("shakespeare_sonnets.txt",),
        (*TRANSFORMER_WINDOW, *TRANSFORMER_FINE_TUNE, "--epochs", "60", "--patience", "6", *HALF_WEIGHTS),
        base="transformer_plays",
        held_out="the sonnets' last 10%",
    ),
    Recipe(
        "transformer_frost",
        "Robert Frost, a small GPT",
        "The verse Transformer fine-tuned on Frost: the LSTM Frost model's recipe, on a Transformer.",
        "Frost's North of Boston (1914) and Mountain Interval (1916), ../shared/corpora, joined in that order",
        ("frost_north_of_boston.txt", "frost_mountain_interval.txt"),
        (*TRANSFORMER_WINDOW, *TRANSFORMER_FINE_TUNE, "--epochs", "60", "--patience", "6", *HALF_WEIGHTS),
        base="verse_transformer",
        held_out="the last 10% of the two books joined (the end of Mountain Interval)",
    ),
)
RECIPES += TRANSFORMER_RECIPES

# Recipes run in training order (the base before the models fine-tuned from it). The Generate
# page opens with the catalog's first model: Frost, who wrote its default seed line.
CATALOG_ORDER = ("frost", "sonnets", "sample_verse", "verse_base", "verse_words", "plays")
CATALOG_ORDER += tuple(recipe.name for recipe in TRANSFORMER_RECIPES)
# Fine-tuned models whose held-out text a base is scored on before any fine-tuning (the Transformer
# fine-tunes hold out the same texts as these).
SCORED_BY_BASE = ("sonnets", "frost")


def sample_verse_text() -> str:
    """The English sample corpora joined so that the held-out tail holds the last tenth of *every* form."""
    english = [entry for entry in catalog() if entry.language == "English"]
    parts = [split_at_stanza(entry.path.read_text(encoding="utf-8"), VAL_FRACTION) for entry in english]
    heads, tails = [head for head, _ in parts], [tail for _, tail in parts]
    return "\n\n\n".join(piece.strip("\n") for piece in heads + tails) + "\n"


def corpus_file(recipe: Recipe, workdir: Path) -> tuple[Path, str]:
    """The training text's path and how the catalog should name it in the command."""
    paths = [SHARED_CORPORA / name for name in recipe.corpus_files]
    for path in paths:
        if not path.is_file():
            sys.exit(f"error: {path} is missing; the {recipe.name} model is trained on the shared corpora")
    if len(paths) == 1:
        return paths[0], f"../shared/corpora/{recipe.corpus_files[0]}"
    path = workdir / f"{recipe.name}.txt"
    if paths:
        text = "\n\n\n".join(p.read_text(encoding="utf-8").strip("\n") for p in paths) + "\n"
    else:
        text = sample_verse_text()
    path.write_text(text, encoding="utf-8")
    return path, path.name


def train(recipe: Recipe, workdir: Path) -> dict:
    corpus, shown_corpus = corpus_file(recipe, workdir)
    out = PRETRAINED_DIR / f"{recipe.name}.zip"
    base = ("--init-from", str(PRETRAINED_DIR / f"{recipe.base}.zip")) if recipe.base else ()
    checkpoint = ("--checkpoint-dir", str(CHECKPOINT_ROOT / recipe.name)) if recipe.checkpoint else ()
    args = ["train", str(corpus), "--out", str(out), "--val-fraction", str(VAL_FRACTION), *base, *recipe.flags]
    args += checkpoint
    print(f"training {recipe.name}: python -m lstm_poem {shlex.join(args)}", file=sys.stderr, flush=True)
    finished = subprocess.run(
        [sys.executable, "-m", "lstm_poem", *args, "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
        env={**os.environ, "LSTM_POEM_MAX_CORPUS_BYTES": CORPUS_BYTES},
    )
    json.loads(finished.stdout)  # one JSON object: the run finished
    return catalog_entry(recipe, corpus, shown_corpus, out, workdir)


def snapshot(recipe: Recipe, workdir: Path) -> dict:
    """Ship the best checkpoint so far of a long run that is still going (or was cut short)."""
    from lstm_poem.files.bundle import load_bundle, save_bundle
    from lstm_poem.measuring.evaluate import evaluate

    best = CHECKPOINT_ROOT / recipe.name / "best.zip"
    if not best.is_file():
        sys.exit(f"error: {best} does not exist yet; start the run with --only {recipe.name}")
    corpus, shown_corpus = corpus_file(recipe, workdir)
    out = PRETRAINED_DIR / f"{recipe.name}.zip"
    poem = load_bundle(best)
    save_bundle(poem, out, "float16" if "float16" in recipe.flags else "float32")
    entry = catalog_entry(recipe, corpus, shown_corpus, out, workdir)
    # The same weights before rounding to float16, scored the same way: what the smaller file costs.
    entry["held_out_loss_of_float32_weights"] = round(evaluate(poem, held_out_text(recipe, corpus)).loss, 4)
    training = poem.info["training"]
    entry["status"] = (
        f"the best checkpoint so far: epoch {entry['best_epoch']} of {entry['epochs_run']} run, each of "
        f"{training['steps_per_epoch']} batches of {training['batch_size']} windows of {training['seq_len']} "
        f"{'words' if poem.config.level == 'word' else 'characters'}; the run goes on with "
        f"python scripts/train_pretrained.py --only {recipe.name}"
    )
    return entry


def catalog_entry(recipe: Recipe, corpus: Path, shown_corpus: str, out: Path, workdir: Path) -> dict:
    """The catalog entry of a freshly written bundle, with its held-out loss measured from the file itself."""
    from lstm_poem.files.bundle import load_bundle
    from lstm_poem.measuring.evaluate import evaluate
    from lstm_poem.measuring.scoring import held_out_loss

    size = out.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        sys.exit(f"error: {out} is {size:,} bytes, over the {MAX_BUNDLE_BYTES:,}-byte budget; use fewer units")
    shipped = load_bundle(out)
    metrics, history = shipped.info["metrics"], shipped.info["history"]
    shown = ["train", shown_corpus, "--out", f"pretrained/{recipe.name}.zip", "--val-fraction", str(VAL_FRACTION)]
    if recipe.base:
        shown += ["--init-from", f"pretrained/{recipe.base}.zip"]
    if recipe.checkpoint:
        shown += ["--checkpoint-dir", f"../verse-run/{recipe.name}"]
    print(f"  scoring {out.name} on its held-out text", file=sys.stderr, flush=True)
    entry = {
        "name": recipe.name,
        "title": recipe.title,
        "description": recipe.description,
        "file": out.name,
        "corpus": recipe.corpus,
        "command": "python -m lstm_poem " + shlex.join([*shown, *recipe.flags]),
        "held_out_loss": round(metrics["best_val_loss"], 4),
        # The shipped file scored again: with float16 weights it differs from the float32 figure above.
        "held_out_loss_of_bundle": round(evaluate(shipped, held_out_text(recipe, corpus)).loss, 4),
        "held_out": recipe.held_out,
        "base": recipe.base,
        "best_epoch": metrics["best_epoch"],
        "epochs_run": len(history),
        "parameters": metrics["parameters"],
        "bytes": size,
        "seconds": round(history[-1]["elapsed"], 1),  # the whole run, resumed sessions included
        "trained_on": date.today().isoformat(),
        "retrain": f"python scripts/train_pretrained.py --only {recipe.name}",
    }
    # Bits per character, with a word model's unknown words charged their spelling: the one axis on
    # which the character and word models of the same verse can be compared (lstm_poem.teaching.improvements).
    held = held_out_text(recipe, corpus)
    entry["held_out_bits_per_char"] = round(held_out_loss(shipped, held).bits_per_char, 4)
    if recipe.checkpoint:
        entry["bits_per_char_on"] = {
            other.name: round(held_out_loss(shipped, other_held_out(other, workdir)).bits_per_char, 4)
            for other in RECIPES
            if other.name in SCORED_BY_BASE
        }
    if any(r.base == recipe.name for r in RECIPES):
        entry["before_fine_tuning"] = {
            other.name: round(evaluate(shipped, other_held_out(other, workdir)).loss, 4)
            for other in RECIPES
            if other.name in SCORED_BY_BASE
        }
    return entry


def other_held_out(recipe: Recipe, workdir: Path) -> str:
    """Another recipe's held-out text, for scoring a base model on it."""
    return held_out_text(recipe, corpus_file(recipe, workdir)[0])


def held_out_text(recipe: Recipe, corpus: Path) -> str:
    """The text a recipe's training held out, cut the way training cuts it (every k-th poem, or the tail)."""
    from lstm_poem.text.corpus import load_corpus
    from lstm_poem.training.data import heldout_start, split_poems

    text = load_corpus(corpus, max_bytes=int(CORPUS_BYTES)).text
    if "poems" in recipe.flags:
        return split_poems(text, VAL_FRACTION)[1]
    return text[heldout_start(len(text), SEQ_LEN, VAL_FRACTION) :]  # one character, one token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=[r.name for r in RECIPES], help="re-train just this model")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="do not train: ship the verse base's best checkpoint so far (its run may still be going)",
    )
    args = parser.parse_args()
    PRETRAINED_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        for recipe in RECIPES:
            if args.snapshot:
                if recipe.checkpoint and args.only in (None, recipe.name):
                    record(snapshot(recipe, Path(workdir)))
                continue
            if args.only in (None, recipe.name):
                entry = train(recipe, Path(workdir))
                record(entry)
                print(f"  held-out {entry['held_out_loss']} nats/char; catalog updated", file=sys.stderr)


def record(entry: dict) -> None:
    """Put one model's entry into the catalog, re-read just now so parallel runs do not lose each other's."""
    index = PRETRAINED_DIR / "catalog.json"
    entries = {e["name"]: e for e in json.loads(index.read_text())["models"]} if index.is_file() else {}
    entries[entry["name"]] = entry
    ordered = [entries[name] for name in CATALOG_ORDER if name in entries]
    index.write_text(json.dumps({"models": ordered}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Re-train the pretrained demo models in ``pretrained/`` and rewrite their catalog.

Each recipe is one run of the project's own command line with a fixed seed and
a fixed epoch budget (no time limit), so the same machine gives the same model.
The held-out loss recorded is the one training reports on the last 10% of the
training text.

Usage (from the repo root; the sonnets need ``../shared/corpora``)::

    python scripts/train_pretrained.py            # all models, about 20 minutes on 2 cores
    python scripts/train_pretrained.py --only sample_verse

The recipes run in order; the sonnets model is fine-tuned from the plays model.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so `import lstm_poem` works without installing it

from lstm_poem.corpus import catalog  # noqa: E402
from lstm_poem.improvements import split_at_stanza  # noqa: E402
from lstm_poem.pretrained import PRETRAINED_DIR  # noqa: E402

SHARED_CORPORA = ROOT.parent / "shared" / "corpora"
MAX_BUNDLE_BYTES = 4_000_000  # keeps the repository small
VAL_FRACTION = 0.1


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


RECIPES = (
    Recipe(
        "plays",
        "Shakespeare's plays",
        "Speeches from the plays, with speaker names in capitals: the classic char-rnn demo.",
        "Tiny Shakespeare (karpathy/char-rnn), ../shared/corpora/tinyshakespeare.txt",
        ("tinyshakespeare.txt",),
        ("--units", "384", "--dropout", "0.2", "--learning-rate", "0.005", "--epochs", "12", "--patience", "3"),
    ),
    Recipe(
        "sonnets",
        "Shakespeare's sonnets",
        "Pentameter lines, thee and thou, rhyme words at line ends. Fine-tuned from the plays model: "
        "90 KB of sonnets alone is too little to learn English from scratch.",
        "Shakespeare's Sonnets (Project Gutenberg #1041), ../shared/corpora/shakespeare_sonnets.txt",
        ("shakespeare_sonnets.txt",),
        ("--epochs", "60", "--patience", "6"),
        base="plays",
        held_out="the sonnets' last 10%",
    ),
    Recipe(
        "frost",
        "Robert Frost",
        "Plain-spoken blank verse and lyrics of New England, the voice of \"The Road Not Taken\" (the Generate "
        "page's default seed). Fine-tuned from the plays model.",
        "Frost's North of Boston (1914) and Mountain Interval (1916), ../shared/corpora, joined in that order",
        ("frost_north_of_boston.txt", "frost_mountain_interval.txt"),
        ("--epochs", "60", "--patience", "6"),
        base="plays",
        held_out="the last 10% of the two books joined (the end of Mountain Interval)",
    ),
    Recipe(
        "sample_verse",
        "lstm-poem sample verse",
        "Trained on the project's own sonnets, haiku, limericks, ballads and free verse: seed it with the "
        "start of any of those forms and it follows.",
        "all corpora in sample_corpora/ (original CC0 verse), each one's last tenth moved to the end",
        (),
        ("--units", "256", "--dropout", "0.3", "--epochs", "80", "--patience", "6"),
        held_out="the last 10% of each sample corpus",
    ),
)


# Recipes run in training order (plays before the models fine-tuned from it). The Generate
# page opens with the catalog's first model: Frost, who wrote its default seed line.
CATALOG_ORDER = ("frost", "sonnets", "sample_verse", "plays")


def sample_verse_text() -> str:
    """The sample corpora joined so that the held-out tail holds the last tenth of *every* form."""
    parts = [split_at_stanza(entry.path.read_text(encoding="utf-8"), VAL_FRACTION) for entry in catalog()]
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
    args = ["train", str(corpus), "--out", str(out), "--val-fraction", str(VAL_FRACTION), *base, *recipe.flags]
    print(f"training {recipe.name}: python -m lstm_poem {shlex.join(args)}", file=sys.stderr, flush=True)
    finished = subprocess.run(
        [sys.executable, "-m", "lstm_poem", *args, "--json"], cwd=ROOT, stdout=subprocess.PIPE, check=True
    )
    result = json.loads(finished.stdout)
    size = out.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        sys.exit(f"error: {out} is {size:,} bytes, over the {MAX_BUNDLE_BYTES:,}-byte budget; use fewer units")
    shown = ["train", shown_corpus, "--out", f"pretrained/{recipe.name}.zip", "--val-fraction", str(VAL_FRACTION)]
    if recipe.base:
        shown += ["--init-from", f"pretrained/{recipe.base}.zip"]
    return {
        "name": recipe.name,
        "title": recipe.title,
        "description": recipe.description,
        "file": out.name,
        "corpus": recipe.corpus,
        "command": "python -m lstm_poem " + shlex.join([*shown, *recipe.flags]),
        "held_out_loss": round(result["best_val_loss"], 4),
        "held_out": recipe.held_out,
        "base": recipe.base,
        "best_epoch": result["best_epoch"],
        "epochs_run": result["epochs_run"],
        "parameters": result["parameters"],
        "bytes": size,
        "seconds": round(result["seconds"], 1),
        "trained_on": date.today().isoformat(),
        "retrain": f"python scripts/train_pretrained.py --only {recipe.name}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=[r.name for r in RECIPES], help="re-train just this model")
    args = parser.parse_args()
    PRETRAINED_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        for recipe in RECIPES:
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

"""Train and score the rows of the "what helps?" table; write ``improvements/catalog.json``.

Rows 2-7 are trained with the project's own command line (``python -m lstm_poem
train``) on the small corpus: the first nine tenths of ``sample_corpora/sonnets.txt``.
Row 1 is the notebook's recipe (``lstm_poem/network/classic.py``: one-hot windows
of 40 characters, one LSTM(128), one target per window), stored as a bundle
whose embedding is the identity matrix, which is exactly a one-hot input.
Row 3 trains on all five sample corpora, each one's last tenth held out (the
small corpus's included, so the shared held-out text stays unseen). Rows 3b and
6b are the shipped verse models (``scripts/train_pretrained.py``), not re-trained
here. Every row is then scored on the same held-out text with the same seed
line, temperature and random seeds.

Usage (from the repo root; a few minutes on 2 shared cores)::

    nice -n 10 python scripts/improvements.py             # every row
    nice -n 10 python scripts/improvements.py --only gru  # one row; the others are kept
    nice -n 10 python scripts/improvements.py --rescore   # measure the bundles again, no training
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lstm_poem.measuring.scoring import reference_words, score, split_at_stanza
from lstm_poem.teaching.improvements import IMPROVEMENTS_DIR, SMALL_CORPUS
from scripts.train_pretrained import sample_verse_text

ROOT = Path(__file__).resolve().parent.parent

MAX_BUNDLE_BYTES = 4_000_000
PRIME = "The lamplight falls across the empty street,\n"
TEMPERATURE = 0.8
SEEDS = (1, 2, 3)
CLASSIC_EPOCHS = 30
TO_THE_END = ("--units", "128", "--epochs", "80", "--patience", "8", "--seed", "42")


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    why: str
    kind: str  # "notebook" | "cli" | "shipped"
    flags: tuple[str, ...] = ()
    file: str = ""  # for "shipped": the bundle, relative to the repo root
    notebook_time: bool = False  # train for as many seconds as the notebook's recipe took
    # "small": the small corpus; "five": the nine tenths of every sample corpus (this one's included)
    corpus: str = "small"


RECIPES = (
    Recipe(
        "notebook",
        "1. The notebook's recipe",
        "One-hot windows of 40 characters and one target per window: each window teaches a single character, "
        "and the network never learns to predict from a short context, so the score counts that against it.",
        "notebook",
    ),
    Recipe(
        "seq2seq",
        "2. Same data, every character a target",
        "The same small LSTM(128) for the same seconds as row 1, but every position of every window is a target: "
        "each pass over the text teaches every character, so the same time buys a much lower loss.",
        "cli",
        TO_THE_END,
        notebook_time=True,
    ),
    Recipe(
        "more_data",
        "3. More data",
        "Five corpora instead of one (about 4.5 times the text) and a bigger LSTM(256): more examples of "
        "how English verse goes.",
        "cli",
        ("--units", "256", "--dropout", "0.3", "--epochs", "80", "--patience", "6"),
        corpus="five",
    ),
    Recipe(
        "much_more_data",
        "3b. Much more data",
        "The verse base: 18 MB of English verse by 65 poets, a thousand times the small corpus, read by an "
        "LSTM(512) for hours. It has never seen this held-out text, and still predicts it better than row 3.",
        "shipped",
        file="pretrained/verse_base.zip",
    ),
    Recipe(
        "longer",
        "4. Trained longer",
        "Row 2 trained on until the held-out loss stops falling (early stopping keeps the best epoch). Here it "
        "gains almost nothing: on 18 KB of text the loss has flattened, and more epochs only memorise.",
        "cli",
        TO_THE_END,
    ),
    Recipe(
        "gru",
        "5a. GRU instead of LSTM",
        "A simpler gated cell with fewer weights. On a small corpus it learns about as well as the LSTM: "
        "the cell type is rarely what holds a model back.",
        "cli",
        ("--cell", "gru", *TO_THE_END),
    ),
    Recipe(
        "stacked",
        "5b. Two stacked LSTM layers",
        "The second layer works on the first one's summary of the text, which helps with longer patterns, "
        "but it has twice the weights to fit from the same little text and learns slower: still improving "
        "when the 80-epoch cap ended it.",
        "cli",
        ("--layers", "2", *TO_THE_END),
    ),
    Recipe(
        "word",
        "6. Word level",
        "Every word it writes is real, but 18 KB gives few examples of each word: a fifth of the held-out "
        "words were new to it and had to be spelled out, the worst score here. Word models need far more text.",
        "cli",
        ("--level", "word", "--seq-len", "20", *TO_THE_END),
    ),
    Recipe(
        "word_more_data",
        "6b. Word level, much more data",
        "The same 18 MB of verse read a word at a time (its 6,000 commonest words). With a thousand times the "
        "text it knows most held-out words, but every word outside its vocabulary still has to be spelled out.",
        "shipped",
        file="pretrained/verse_words.zip",
    ),
    Recipe(
        "finetuned",
        "7. Pretrained, then fine-tuned",
        "Starts from the verse base (row 3b: 18 MB of verse, LSTM(512)) and fine-tunes on the small corpus: "
        "spelling, grammar and metre come from the big text, the style from the small one.",
        "cli",
        (
            "--init-from", "pretrained/verse_base.zip", "--epochs", "30", "--patience", "4", "--seed", "42",
            "--weight-dtype", "float16",
        ),
    ),
    Recipe(
        "transformer",
        "8. A Transformer (what GPT is built from)",
        "A small GPT (2 blocks of 4 attention heads, 64 wide) trained on the small corpus for the same seconds "
        "as row 2. It looks back at every earlier character at once instead of carrying a memory, and on 18 KB "
        "in under a minute it loses to the LSTM: attention has more to learn before it pays.",
        "cli",
        (
            "--cell", "transformer", "--layers", "2", "--units", "64", "--heads", "4", "--context", "64",
            "--seq-len", "64", "--batch-size", "16", "--dropout", "0.1", "--learning-rate", "0.006",
            "--warmup-steps", "30", "--weight-decay", "0.1", "--epochs", "80", "--patience", "8", "--seed", "42",
        ),
        notebook_time=True,
    ),
    Recipe(
        "transformer_finetuned",
        "8b. A pretrained Transformer, fine-tuned",
        "Starts from the verse Transformer (4 blocks 192 wide, trained on the same 18 MB of verse as row 3b) and "
        "fine-tunes on the small corpus, as row 7 does from the verse LSTM: the idea of fine-tuning GPT-2, at a "
        "size two CPU cores can train. Reading the verse made it better than any model of the small corpus alone, "
        "but its base read an eighth as many characters as the LSTM base in the same hours.",
        "cli",
        (
            "--init-from", "pretrained/verse_transformer.zip", "--seq-len", "256", "--batch-size", "16",
            "--learning-rate", "0.0005", "--warmup-steps", "10", "--weight-decay", "0.1", "--epochs", "30",
            "--patience", "4", "--seed", "42", "--weight-dtype", "float16",
        ),
    ),
)


def train_notebook(head: Path, out: Path) -> dict:
    """Row 1: the classic notebook's network, trained the notebook's way, saved as a bundle."""
    import keras
    import numpy as np

    from lstm_poem.files.bundle import save_bundle
    from lstm_poem.network.classic import SEQ_LEN, as_engine_network, classic_network, classic_windows
    from lstm_poem.network.model import PoemModel
    from lstm_poem.text.tokenizer import CharTokenizer, words
    from lstm_poem.training.data import split_stream

    text = head.read_text(encoding="utf-8")
    tokenizer = CharTokenizer.fit(text)
    vocab = tokenizer.vocab_size
    split = split_stream(np.asarray(tokenizer.encode(text).ids, np.int32), SEQ_LEN, 0.1)
    x, y = classic_windows(split.train, vocab)
    x_val, y_val = classic_windows(split.heldout, vocab, step=1)
    keras.utils.set_random_seed(42)
    classic = classic_network(vocab)
    stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    start = time.perf_counter()
    history = classic.fit(
        x, y, batch_size=128, epochs=CLASSIC_EPOCHS, validation_data=(x_val, y_val), callbacks=[stop], verbose=0
    )
    seconds = time.perf_counter() - start
    config, network = as_engine_network(classic, vocab)
    val_losses = history.history["val_loss"]
    info = {
        "name": "the notebook's recipe",
        "corpus": {"name": head.name, "words": sorted({w.lower() for w in words(text)})},
        "training": {"seq_len": SEQ_LEN},
        "metrics": {"best_val_loss": float(min(val_losses)), "epochs_run": len(val_losses)},
    }
    save_bundle(PoemModel(network, tokenizer, config, info), out)
    return {"seconds": seconds, "parameters": config.parameter_count(vocab), "epochs_run": len(val_losses)}


def train_cli(flags: tuple[str, ...], head: Path, out: Path) -> dict:
    args = ["train", str(head), "--out", str(out), "--val-fraction", "0.1", *flags]
    print(f"training: python -m lstm_poem {shlex.join(args)}", file=sys.stderr, flush=True)
    finished = subprocess.run(
        [sys.executable, "-m", "lstm_poem", *args, "--json"], cwd=ROOT, stdout=subprocess.PIPE, check=True
    )
    return json.loads(finished.stdout)


def make_row(recipe: Recipe, head: Path, held_out: str, vocabulary: frozenset[str], notebook_seconds: float) -> dict:
    note = ""
    if recipe.kind == "shipped":
        shipped = {m["file"]: m for m in json.loads((ROOT / "pretrained" / "catalog.json").read_text())["models"]}
        facts = shipped[Path(recipe.file).name]
        file, command, seconds = recipe.file, facts["command"], facts["seconds"]
        parameters = facts["parameters"]
        note = f"Shipped model, not re-trained here: {facts['retrain']} (trained {facts['trained_on']})."
    else:
        file = f"improvements/{recipe.name}.zip"
        out = ROOT / file
        if recipe.kind == "notebook":
            result = train_notebook(head, out)
            command = f"python scripts/improvements.py --only {recipe.name}"
            note = (
                "The classic notebook's network (lstm_poem/network/classic.py); "
                f"{result['epochs_run']} epochs, early stopping on loss."
            )
        else:
            flags = recipe.flags + (("--time-limit", f"{notebook_seconds:.0f}") if recipe.notebook_time else ())
            if recipe.corpus == "five":
                head = head.with_name("sample_verse.txt")
                head.write_text(sample_verse_text(), encoding="utf-8")
            result = train_cli(flags, head, out)
            command = "python -m lstm_poem " + shlex.join(
                ["train", head.name, "--out", file, "--val-fraction", "0.1", *flags]
            )
            note = f"{result['epochs_run']} epochs, kept epoch {result['best_epoch']}."
        seconds, parameters = result["seconds"], result["parameters"]
        if out.stat().st_size > MAX_BUNDLE_BYTES:
            sys.exit(f"error: {out} is over the {MAX_BUNDLE_BYTES:,}-byte budget")
    return {
        "name": recipe.name,
        "title": recipe.title,
        "why": recipe.why,
        "file": file,
        "command": command,
        "parameters": int(parameters),
        "train_seconds": round(float(seconds), 1),
        "note": note,
        **scored(file, held_out, vocabulary),
    }


def scored(file: str, held_out: str, vocabulary: frozenset[str]) -> dict:
    """The catalog's measured fields for one bundle."""
    from lstm_poem.files.bundle import load_bundle

    poem = load_bundle(ROOT / file)
    measured = score(poem, held_out, PRIME, TEMPERATURE, SEEDS, vocabulary)
    print(f"  {file}: {measured.bits_per_char:.3f} bits/char", file=sys.stderr, flush=True)
    return {
        "level": poem.config.level,
        "bits_per_char": round(measured.bits_per_char, 4),
        "nats_per_token": round(measured.nats_per_token, 4),
        "unknown_words": measured.unknown_words,
        "real_word_share": round(measured.real_word_share, 4),
        "repetition": round(measured.repetition, 4),
        "poem": measured.poem,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=[r.name for r in RECIPES], help="re-make just this row")
    parser.add_argument(
        "--rescore", action="store_true", help="score the rows' bundles again without training (after a sampler change)"
    )
    args = parser.parse_args()
    IMPROVEMENTS_DIR.mkdir(exist_ok=True)
    index = IMPROVEMENTS_DIR / "catalog.json"
    old = {r["name"]: r for r in json.loads(index.read_text())["rows"]} if index.is_file() else {}
    head_text, held_out = split_at_stanza(SMALL_CORPUS.read_text(encoding="utf-8"))
    vocabulary = reference_words()
    rows = dict(old)  # rows not re-made keep their figures; a run cut short loses nothing
    with tempfile.TemporaryDirectory() as workdir:
        head = Path(workdir) / "small.txt"
        head.write_text(head_text, encoding="utf-8")
        for recipe in RECIPES:
            if args.rescore and recipe.name in old:
                words_now = {"title": recipe.title, "why": recipe.why}  # words may change; figures are re-measured
                measured = scored(old[recipe.name]["file"], held_out, vocabulary)
                rows[recipe.name] = {**old[recipe.name], **words_now, **measured}
            elif not args.rescore and args.only in (None, recipe.name):
                notebook_seconds = rows["notebook"]["train_seconds"] if "notebook" in rows else 60.0
                rows[recipe.name] = make_row(recipe, head, held_out, vocabulary, notebook_seconds)
            catalog = {
                "held_out": "the last tenth of sample_corpora/sonnets.txt (from a stanza break); the small-corpus "
                "rows train on the other nine tenths ('small.txt')",
                "held_out_chars": len(held_out),
                "prime": PRIME,
                "temperature": TEMPERATURE,
                "seeds": list(SEEDS),
                "machine": f"{platform.machine()}, 2 CPU cores shared with other work, nice 10",
                "made_on": date.today().isoformat(),
                "rows": [rows[r.name] for r in RECIPES if r.name in rows],
            }
            index.write_text(json.dumps(catalog, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

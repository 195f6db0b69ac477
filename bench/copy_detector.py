"""The copy detector's cost against the 18 MB of verse, and the measurement that chose its minimum length.

``speed`` (the default): builds the index of ``english_verse.txt`` once and reports
its build time, its memory (the index's arrays, the text kept beside them, the
peak while building) and what it would take on disk; then times a check of three
400-character poems (the Generate page's default: three columns of 400), median and
worst of many repeats, for verse it never held (the project's own sample verse) and for
poems copied from it whole (the slowest case: every window hits). As the baseline measured
in the same run, it times the redraw itself: the Frost model writing those three
columns (``--no-redraw`` skips it).

``choose-length``: for each minimum length N, the share of characters marked
copied in verse the index never held: the project's own sample verse against all
of the 18 MB (every match is chance), and every 10th poem of the verse held out (as
the verse base's training does) against the rest (chance, plus lines the collection
really holds twice). MIN_COPY_LENGTH is the shortest N where chance stops adding:
the own verse's share under 1%, the held-out share near its floor of real repeats.

``first-check``: what a hosted copy without ``../shared`` pays for the first checked poem of Frost's
model, whose texts it reads from the repository's xz parts (``pretrained/training_texts/``): seconds
to read every text of the model and build their indexes, peak Python memory while doing it, and the
repository bytes of the parts, against the same from the plain files in ``../shared/corpora``, the
two taking turns ``--repeats`` times (default 3 here).

Usage (from the repo root; timings under the project's benchmark lock)::

    flock /tmp/lstm-poem-bench.lock nice -n 0 python bench/copy_detector.py speed [--repeats 200]
    nice -n 5 python bench/copy_detector.py choose-length [--poems 400]
    nice -n 5 python bench/copy_detector.py first-check [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from lstm_poem.teaching import copy_sources
from lstm_poem.teaching.copy_sources import PACKED_TEXTS, SHARED_CORPORA, TextSource
from lstm_poem.teaching.copying import MIN_COPY_LENGTH, STRIDE, CopyIndex, check_copying
from lstm_poem.text.corpus import catalog
from lstm_poem.training.data import split_poems

ROOT = Path(__file__).resolve().parent.parent

VERSE = SHARED_CORPORA / "english_verse.txt"
POEM_CHARS = 400
COLUMNS = 3
SEED_TEXT = "Two roads diverged in a yellow wood,\n"  # the Generate page's default


def excerpts(text: str, count: int, rng: random.Random) -> list[str]:
    starts = [rng.randrange(len(text) - POEM_CHARS) for _ in range(count)]
    return [text[start : start + POEM_CHARS] for start in starts]


def time_checks(poems: list[str], indexes: list[CopyIndex], repeats: int) -> dict:
    times, shares = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        reports = [check_copying(SEED_TEXT + poem, indexes, skip=len(SEED_TEXT)) for poem in poems]
        times.append(time.perf_counter() - start)
        shares = [report.share for report in reports]
    return {
        "median_ms": round(statistics.median(times) * 1000, 3),
        "max_ms": round(max(times) * 1000, 3),
        "copied_shares": [round(share, 3) for share in shares],
    }


def redraw_seconds(repeats: int) -> float:
    """The Frost model writing three 400-character columns (the page's work when its poems are not remembered)."""
    from lstm_poem import limits

    limits.set_tensorflow_defaults()
    from lstm_poem.files.pretrained import pretrained_catalog
    from lstm_poem.network.generate import Generator

    frost = next(model for model in pretrained_catalog() if model.name == "frost")
    generator = Generator(frost.load())
    generator.generate(SEED_TEXT, [0.5, 1.0, 1.5], length=POEM_CHARS, seed=1)  # compiles the graph
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        generator.generate(SEED_TEXT, [0.5, 1.0, 1.5], length=POEM_CHARS, seed=seed)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(args: argparse.Namespace) -> dict:
    read_start = time.perf_counter()
    text = TextSource("english_verse", VERSE).read()
    read_seconds = time.perf_counter() - read_start
    tracemalloc.start()
    build_start = time.perf_counter()
    index = CopyIndex(text, "english_verse")
    build_seconds = time.perf_counter() - build_start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as folder:
        plain, packed = Path(folder) / "index.npz", Path(folder) / "index-compressed.npz"
        np.savez(plain, hashes=index.hashes, positions=index.positions)
        np.savez_compressed(packed, hashes=index.hashes, positions=index.positions)
        disk, disk_compressed = plain.stat().st_size, packed.stat().st_size
    own_verse = "\n\n\n".join(TextSource(entry.name, entry.path).read() for entry in catalog())
    rng = random.Random(args.seed)
    result = {
        "corpus": VERSE.name,
        "corpus_chars": len(text),
        "min_copy_length": MIN_COPY_LENGTH,
        "stride": STRIDE,
        "indexed_windows": len(index.hashes),
        "read_and_clean_seconds": round(read_seconds, 2),
        "build_seconds": round(build_seconds, 2),
        "index_bytes": index.nbytes,
        "text_bytes_in_memory": sys.getsizeof(text),
        "build_peak_bytes": peak,
        "disk_bytes_npz": disk,
        "disk_bytes_npz_compressed": disk_compressed,
        "check": f"{COLUMNS} poems x {POEM_CHARS} characters after the default seed",
        "check_new_verse": time_checks(excerpts(own_verse, COLUMNS, rng), [index], args.repeats),
        "check_copied_verse": time_checks(excerpts(text, COLUMNS, rng), [index], args.repeats),
    }
    if not args.no_redraw:
        result["redraw_generate_ms"] = round(redraw_seconds(max(3, args.repeats // 20)) * 1000, 1)
    return result


def choose_length(args: argparse.Namespace) -> dict:
    """The share marked copied, by minimum length, in two kinds of verse the index never held: the project's
    own verse (written for it, so every match is chance) and held-out poems of the collection (chance, plus
    lines the collection really holds twice: a poem in two versions, a quoted stanza, a refrain)."""
    text = TextSource("english_verse", VERSE).read()
    training, held_out = split_poems(text, 0.1)
    poems = [poem for poem in held_out.split("\n\n\n") if poem.strip()]
    sample = random.Random(args.seed).sample(poems, min(args.poems, len(poems)))
    own_verse = [TextSource(entry.name, entry.path).read() for entry in catalog()]
    rows = []
    for length in args.lengths:
        stride = min(STRIDE, length // 2)
        row = {"min_length": length}
        for name, index_text, checked in (("own_verse", text, own_verse), ("held_out_poems", training, sample)):
            index = CopyIndex(index_text, name, min_length=length, stride=stride)
            copied = sum(check_copying(poem, [index]).copied_chars for poem in checked)
            row[f"{name}_copied_share"] = round(copied / sum(len(poem) for poem in checked), 4)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    return {
        "own_verse_chars": sum(len(t) for t in own_verse),
        "held_out_poems": len(sample),
        "held_out_chars": sum(len(poem) for poem in sample),
        "by_min_length": rows,
    }


def first_check(args: argparse.Namespace) -> dict:
    """Frost's model's first checked poem from the shipped xz parts against the plain shared files."""
    packed = copy_sources.pretrained_sources("frost", corpora=ROOT / "no-shared-corpora")
    plain = copy_sources.pretrained_sources("frost")
    if packed is None or plain is None or packed == plain:
        sys.exit("needs both the xz parts in pretrained/training_texts/ and ../shared/corpora")
    poem = SEED_TEXT + TextSource("english_verse", VERSE).read()[1000 : 1000 + POEM_CHARS]
    runs: dict[str, list[tuple[float, int]]] = {"packed in the repository": [], "plain in ../shared": []}
    for _ in range(args.repeats):
        for name, sources in (("packed in the repository", packed), ("plain in ../shared", plain)):
            tracemalloc.start()
            start = time.perf_counter()
            report = check_copying(poem, [CopyIndex(source.read(), source.name) for source in sources])
            runs[name].append((time.perf_counter() - start, tracemalloc.get_traced_memory()[1]))
            tracemalloc.stop()
            assert report.share > 0.9  # a stretch of its base's verse, found
    result = {
        name: {
            "median_seconds": round(statistics.median(seconds for seconds, _ in values), 2),
            "peak_mb": round(max(peak for _, peak in values) / 1e6, 1),
        }
        for name, values in runs.items()
    }
    parts = sorted(PACKED_TEXTS.glob("*.xz"))
    result["repository_bytes_of_parts"] = sum(part.stat().st_size for part in parts)
    result["largest_part_bytes"] = max(part.stat().st_size for part in parts)
    result["plain_bytes"] = sum(source.path.stat().st_size for source in plain)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="speed", choices=["speed", "choose-length", "first-check"])
    parser.add_argument("--repeats", type=int, help="default 200 (speed), 3 (first-check)")
    parser.add_argument("--poems", type=int, default=400)
    parser.add_argument("--lengths", type=int, nargs="+", default=[16, 20, 24, 28, 32, 40, 80])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-redraw", action="store_true", help="skip the Generate redraw baseline (no TensorFlow)")
    args = parser.parse_args()
    if not VERSE.is_file():
        sys.exit(f"{VERSE} is not here; the copy detector's benchmark needs the shared corpora")
    args.repeats = args.repeats or (3 if args.what == "first-check" else 200)
    commands = {"speed": speed, "choose-length": choose_length, "first-check": first_check}
    result = commands[args.what](args)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Fuzz the bundle loader: mutate a real small bundle; loading must give a model that generates, or a BundleError.

The seeds are two real bundles, a tiny LSTM and a tiny Transformer; each example mutates one of them.

Runs as a program in its own process, under a memory limit, so that a
regression that allocates what a hostile file claims fails instead of taking
the machine's memory::

    python tests/bundle_fuzz.py --examples 250 --seed 0 --memory-mb 1024

It prints one JSON object: examples tried, how many loaded and how many were
refused, the distinct refusal messages, and every failure (anything other than
a BundleError, a message that is not one short line, a load slower than the
time bound) with the mutations that caused it. ``tests/test_bundle_fuzz.py``
runs it bounded in CI; ``scripts/fuzz_bundles.py`` runs it long.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import resource
import time
from collections import Counter
from pathlib import Path

import numpy as np
from bundle_edits import edit_json, edit_member, edit_weights, members, npy_header, zipped
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from lstm_poem import limits
from lstm_poem.files.bundle import BundleError, bundle_bytes, load_bundle

ROOT = Path(__file__).resolve().parent.parent

limits.set_tensorflow_defaults()
# A refusal message must be one line of at most this many characters.
SHORT_MESSAGE = 300

# ----- mutations: small tuples, so a failure prints as the recipe that caused it -----

TARGETS = ("file", "json", "npz", "npy")
JSON_PATHS = (
    "format",
    "format_version",
    "model",
    "model.level",
    "model.cell",
    "model.layers",
    "model.units",
    "model.embedding",
    "model.dropout",
    "model.max_words",
    "model.heads",
    "model.context",
    "model.extra",
    "tokenizer",
    "tokenizer.level",
    "tokenizer.tokens",
    "tokenizer.tokens.0",
    "tokenizer.tokens.-1",
    "info",
    "info.corpus",
    "info.corpus.name",
    "info.corpus.words",
    "info.training",
    "info.training.seq_len",
    "info.metrics",
    "info.metrics.best_val_loss",
    "info.history",
    "weights",
)
DESCRS = ("<f4", "<f2", ">f4", "<f8", "<i4", "|u1", "|b1", "<c8", "|O", "<U4", "|V8", "f4")
INTERESTING_NUMBERS = (0, 1, 2, 3, 4, 7, 8, 16, 17, 32, 64, 2048, 4096, 10**6, 10**9, 2**31, 2**63, -1)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from(INTERESTING_NUMBERS)
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["lstm", "gru", "rnn", "transformer", "char", "word", "<unk>", "\n", "lstm-poem-bundle"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
positions = st.integers(0, 2**20)
mutations = st.one_of(
    st.tuples(st.just("flip"), st.sampled_from(TARGETS), positions, st.integers(1, 255)),
    st.tuples(st.just("insert"), st.sampled_from(TARGETS), positions, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.sampled_from(TARGETS), positions, st.integers(1, 64)),
    st.tuples(
        st.just("members"),
        st.sampled_from(("outer", "inner")),
        st.sampled_from(("swap", "duplicate", "drop", "rename")),
        st.integers(0, 15),
        st.integers(0, 15),
    ),
    st.tuples(st.just("set"), st.sampled_from(JSON_PATHS), json_values),
    st.tuples(st.just("drop_key"), st.sampled_from(JSON_PATHS)),
    st.tuples(
        st.just("header"),
        st.integers(0, 15),
        st.sampled_from(DESCRS),
        st.booleans(),
        st.lists(st.sampled_from(INTERESTING_NUMBERS[:-1]) | st.integers(0, 2**40), max_size=3).map(tuple),
    ),
    st.tuples(st.just("resize_data"), st.integers(0, 15), st.integers(-64, 64)),
    st.tuples(st.just("fill"), st.integers(0, 15), st.floats(width=32) | st.sampled_from([3e38, -3e38, 1e20, 65504.0])),
    st.tuples(st.just("nest"), st.integers(1, 3000)),
)


def _blob_edit(kind: str, position: int, argument):
    """A bytes -> bytes change at ``position`` (taken modulo the length, so it always lands)."""

    def change(blob: bytes) -> bytes:
        at = position % (len(blob) + 1)
        if kind == "flip":
            at = position % max(len(blob), 1)
            return blob[:at] + bytes([blob[at] ^ argument]) + blob[at + 1 :] if blob else blob
        if kind == "insert":
            return blob[:at] + argument + blob[at:]
        return blob[:at] + blob[at + argument :]

    return change


def _on_target(data: bytes, target: str, position: int, change) -> bytes:
    if target == "file":
        return change(data)
    if target == "json":
        return edit_member(data, "bundle.json", change)
    if target == "npz":
        return edit_member(data, "weights.npz", change)
    # One array's first bytes, where its header lives; the position also picks the array.
    return _nth_array(data, position, lambda npy: change(npy[:160]) + npy[160:])


def _members_edit(parts: list, operation: str, i: int, j: int) -> list:
    if not parts:
        return parts
    i, j = i % len(parts), j % len(parts)
    parts = list(parts)
    if operation == "swap":
        parts[i], parts[j] = (parts[i][0], parts[j][1]), (parts[j][0], parts[i][1])
    elif operation == "duplicate":
        parts.append(parts[i])
    elif operation == "drop":
        del parts[i]
    else:
        parts[i] = (f"w{j:03d}.npy" if parts[i][0].endswith(".npy") else parts[j][0], parts[i][1])
    return parts


def _json_edit(path: str, value, drop: bool = False):
    keys = path.split(".")

    def change(document: dict) -> None:
        parent = document
        for key in keys[:-1]:
            parent = parent[key]
        last = keys[-1]
        if isinstance(parent, list):
            index = int(last)
            if drop:
                del parent[index]
            elif index == -1:
                parent.append(value)
            else:
                parent[index] = value
        elif drop:
            del parent[last]
        else:
            parent[last] = value

    return change


def _header_edit(descr: str, fortran: bool, shape: tuple):
    def change(npy: bytes) -> bytes:
        length = int.from_bytes(npy[8:10], "little")
        return npy_header(descr, fortran, shape) + npy[10 + length :]

    return change


def _filled(npy: bytes, value: float) -> bytes:
    """The same array (shape and dtype) with every number set to ``value``."""
    array = np.load(io.BytesIO(npy))
    out = io.BytesIO()
    np.save(out, np.full_like(array, value))
    return out.getvalue()


def _nth_array(data: bytes, index: int, change) -> bytes:
    names = sorted(name for name, _ in members(dict(members(data))["weights.npz"]))
    name = names[index % len(names)] if names else ""
    return edit_weights(data, lambda member, npy: change(npy) if member == name else npy)


def _nest(depth: int):
    def change(content: bytes) -> bytes:
        document = json.loads(content)
        document.setdefault("info", {})["nested"] = "NESTED"
        return json.dumps(document).replace('"NESTED"', "[" * depth + "]" * depth).encode()

    return change


def mutate(data: bytes, mutation: tuple) -> bytes:
    """The bundle with one mutation applied; a mutation that no longer applies (the part it edits
    is already broken) leaves the bytes as they are."""
    kind = mutation[0]
    try:
        if kind in ("flip", "insert", "delete"):
            _, target, position, argument = mutation
            return _on_target(data, target, position, _blob_edit(kind, position, argument))
        if kind == "members":
            _, level, operation, i, j = mutation
            if level == "outer":
                return zipped(_members_edit(members(data), operation, i, j))
            return edit_member(data, "weights.npz", lambda npz: zipped(_members_edit(members(npz), operation, i, j)))
        if kind in ("set", "drop_key"):
            return edit_json(data, _json_edit(mutation[1], mutation[2] if kind == "set" else None, kind == "drop_key"))
        if kind == "header":
            _, index, descr, fortran, shape = mutation
            return _nth_array(data, index, _header_edit(descr, fortran, shape))
        if kind == "fill":
            _, index, value = mutation
            return _nth_array(data, index, lambda npy: _filled(npy, value))
        if kind == "resize_data":
            _, index, delta = mutation
            return _nth_array(data, index, lambda npy: npy[:delta] if delta < 0 else npy + bytes(delta))
        return edit_member(data, "bundle.json", _nest(mutation[1]))
    except Exception:  # the mutation's own parsing failed on an already broken part
        return data


# ----- the property -----


class Tally:
    """What the run saw: counts, refusal messages, failures, and models already proven to generate."""

    def __init__(self) -> None:
        self.examples = self.loaded = self.refused = self.failed = 0
        self.messages: Counter[str] = Counter()
        self.failures: dict[str, list] = {}
        self.generated: set[str] = set()
        self.slowest_load = 0.0

    def fail(self, kind: str, recipe: list) -> None:
        self.failed += 1
        best = self.failures.get(kind)
        if best is None or len(repr(recipe)) < len(repr(best)):  # keep the shortest recipe per kind
            self.failures[kind] = recipe


def _fingerprint(poem) -> str:
    digest = hashlib.sha256(json.dumps([poem.config.to_dict(), poem.tokenizer.to_dict()]).encode())
    for weights in poem.network.get_weights():
        digest.update(weights.tobytes())
    return digest.hexdigest()


def _generates(poem) -> None:
    from lstm_poem.network.generate import Generator

    prime = poem.tokenizer.tokens[-1]
    samples = Generator(poem).generate(prime, [0.0, 1.0], length=8, seed=1).samples
    assert [len(sample.pieces) for sample in samples] == [8, 8], "generation came back short"


def check(data: bytes, recipe: list, tally: Tally, time_bound: float) -> None:
    """Load ``data``; record a failure unless it loads and generates or is refused with a short message."""
    tally.examples += 1
    start = time.monotonic()
    try:
        poem = load_bundle(data)
    except BundleError as err:
        message = str(err)
        tally.refused += 1
        tally.messages[message[:80]] += 1
        if not message or "\n" in message or len(message) > SHORT_MESSAGE:
            tally.fail(f"message not one short line: {message[:80]!r}", recipe)
    except Exception as err:  # anything else is what the fuzzer looks for
        tally.fail(f"{type(err).__name__}: {str(err)[:160]}", recipe)
    else:
        tally.loaded += 1
        fingerprint = _fingerprint(poem)
        if fingerprint not in tally.generated:
            try:
                _generates(poem)
                tally.generated.add(fingerprint)
            except Exception as err:
                tally.fail(f"loaded but did not generate: {type(err).__name__}: {str(err)[:160]}", recipe)
    took = time.monotonic() - start
    tally.slowest_load = max(tally.slowest_load, took)
    if took > time_bound:
        tally.fail(f"took {took:.0f} s (bound {time_bound:.0f} s)", recipe)


def base_bundles() -> list[bytes]:
    """Real, small bundles: a tiny char LSTM and a tiny char Transformer, each trained one epoch on the
    project's own verse."""
    from lstm_poem.network.model import ModelConfig
    from lstm_poem.training.train import train
    from lstm_poem.training.train_config import TrainConfig

    text = (ROOT / "sample_corpora" / "ballads.txt").read_text(encoding="utf-8")[:3000]
    models = (
        lambda: ModelConfig(units=16, embedding=8, dropout=0.0),
        lambda: ModelConfig(cell="transformer", layers=2, units=16, heads=2, context=16, dropout=0.0),
    )
    config = TrainConfig(seq_len=16, batch_size=32, epochs=1, patience=1, seed=0)
    return [bundle_bytes(train(text, model(), config).poem) for model in _buildable(models)]


def _buildable(models):
    """The model descriptions this engine knows: an older commit's (``scripts/fuzz_bundles.py --against``),
    from before Transformers, fuzzes the LSTM alone."""
    from lstm_poem.checks import ConfigError

    for model in models:
        try:
            model()
        except (ConfigError, TypeError):
            continue
        yield model


def _limit_memory(extra_mb: int) -> int:
    """Cap this process's address space at what it uses now plus ``extra_mb``; return the cap in MB."""
    status = Path("/proc/self/status").read_text()
    used_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmSize:"))
    cap = used_kb * 1024 + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    return math.ceil(cap / 2**20)


def run(examples: int, run_seed: int, memory_mb: int, time_bound: float) -> dict:
    goods = base_bundles()
    tally = Tally()
    for good in goods:  # the unmutated bundles load and generate (compiles TensorFlow once for each)
        check(good, [], tally, time_bound)
    assert tally.loaded == len(goods) and not tally.failures, tally.failures
    cap_mb = _limit_memory(memory_mb)
    started = time.monotonic()

    @seed(run_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(range(len(goods))), st.lists(mutations, min_size=1, max_size=3))
    def fuzz(which, recipe):
        data = goods[which]
        recipe = [("seed", which), *recipe]
        for mutation in recipe[1:]:
            data = mutate(data, mutation)
        check(data, recipe, tally, time_bound)

    fuzz()
    return {
        "examples": tally.examples - len(goods),
        "loaded": tally.loaded - len(goods),
        "refused": tally.refused,
        "failed": tally.failed,
        "distinct_models_generated": len(tally.generated),
        "failures": [{"failure": kind, "recipe": repr(recipe)} for kind, recipe in tally.failures.items()],
        "seed": run_seed,
        "memory_cap_mb": cap_mb,
        "slowest_load_s": round(tally.slowest_load, 2),
        "seconds": round(time.monotonic() - started, 1),
        "messages": dict(tally.messages.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=250)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-mb", type=int, default=1024, help="address space allowed above the start")
    parser.add_argument("--time-bound", type=float, default=30.0, help="seconds one load may take")
    args = parser.parse_args()
    print(json.dumps(run(args.examples, args.seed, args.memory_mb, args.time_bound)))


if __name__ == "__main__":
    main()

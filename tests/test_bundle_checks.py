"""Hostile bundles: every size and shape a file claims is checked before anything is parsed or allocated."""

from __future__ import annotations

import io
import json
import re
import tracemalloc

import numpy as np
import pytest
from bundle_edits import (
    deeply_nested_json,
    edit_json,
    edit_member,
    edit_weights,
    huge_array_claim,
    members,
    with_header,
    zipped,
)

from lstm_poem.files.bundle import BundleError, load_bundle
from lstm_poem.files.bundle_checks import MAX_JSON_DEPTH, MAX_ZIP_MEMBERS
from lstm_poem.network.generate import Generator


def _refused(data: bytes, fragment: str) -> str:
    with pytest.raises(BundleError, match=re.escape(fragment)) as caught:
        load_bundle(data)
    return str(caught.value)


@pytest.mark.parametrize("shape", [(100_000, 100_000), (20_000, 20_000), (1, 10**12)])
def test_a_header_claiming_a_huge_array_is_refused_without_allocating(good_bytes, shape):
    """The issue's first kind: 37 GiB claimed (a MemoryError before), and claims small enough to pass overcommit."""
    hostile = huge_array_claim(good_bytes, shape)
    tracemalloc.start()
    try:
        message = _refused(hostile, "do not fit the model it describes")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"has shape {shape}" in message
    assert peak < 4 * len(good_bytes) + 2_000_000  # the file and its parts, never the claimed array


def test_deeply_nested_json_is_refused_before_parsing(good_bytes):
    """The issue's second kind (a RecursionError before)."""
    _refused(deeply_nested_json(good_bytes), f"nested more than {MAX_JSON_DEPTH} levels deep")
    assert load_bundle(deeply_nested_json(good_bytes, depth=20)).tokenizer.vocab_size > 0


def test_brackets_inside_strings_are_not_nesting(good_bytes):
    deep_text = "[" * 5000 + '\\"{' * 100

    def change(document):
        document["info"]["notes"] = deep_text

    assert load_bundle(edit_json(good_bytes, change)).info["notes"] == deep_text


def test_json_with_too_many_entries_is_refused(good_bytes):
    _refused(edit_json(good_bytes, lambda d: d["info"].update(notes=[[]] * 200_000)), "far more entries")


def test_json_with_an_integer_too_long_to_read_is_refused(good_bytes):
    def change(content: bytes) -> bytes:
        return content.replace(b'"format_version": 1', b'"format_version": ' + b"9" * 5000)

    _refused(edit_member(good_bytes, "bundle.json", change), "not valid JSON")


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def _first_array(change):
    return lambda name, npy: change(npy) if name == "w000.npy" else npy


@pytest.mark.parametrize(
    ("claims", "fragment"),
    [
        ({"descr": "<f8"}, "holds '<f8' values"),
        ({"descr": "<i4"}, "holds '<i4' values"),
        ({"descr": "|O"}, "holds '|O' values"),
        ({"fortran_order": True}, "column by column"),
        ({"transposed": True}, "has shape"),
    ],
)
def test_array_headers_must_claim_float_weights_of_the_expected_shape(good_bytes, trained, claims, fragment):
    rows, columns = trained.poem.config.weight_shapes(trained.poem.tokenizer.vocab_size)[0]
    shape = (columns, rows) if claims.pop("transposed", False) else (rows, columns)
    hostile = edit_weights(good_bytes, _first_array(lambda npy: with_header(npy, shape=shape, **claims)))
    assert fragment in _refused(hostile, fragment)


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (_first_array(lambda npy: npy[:-4]), "sizes that do not add up"),
        (_first_array(lambda npy: npy + b"\0" * 4), "sizes that do not add up"),
        (_first_array(lambda npy: npy[:60]), "header lstm-poem does not write"),
        (_first_array(lambda npy: b"\x93NUMPY\x03\x00" + npy[8:]), "not a numpy array file"),
        (_first_array(lambda npy: npy.replace(b"'shape'", b"'shapf'", 1)), "header lstm-poem does not write"),
        (lambda name, npy: None if name == "w005.npy" else npy, "1 of the 6 arrays are missing"),
    ],
)
def test_array_sizes_and_names_are_checked_before_reading(good_bytes, edit, fragment):
    _refused(edit_weights(good_bytes, edit), fragment)


def test_extra_duplicated_and_swapped_arrays_are_refused(good_bytes):
    def npz_parts(change):
        return edit_member(good_bytes, "weights.npz", lambda npz: zipped(change(members(npz))))

    _refused(npz_parts(lambda parts: [*parts, ("w006.npy", parts[0][1])]), "arrays the model does not have")
    _refused(npz_parts(lambda parts: [*parts, parts[0]]), "two parts with the same name")
    swapped = npz_parts(lambda parts: [(parts[1][0], parts[0][1]), (parts[0][0], parts[1][1]), *parts[2:]])
    _refused(swapped, "weight array w000.npy is larger than the model it describes allows")


def test_duplicate_or_countless_members_of_the_archive_are_refused(good_bytes):
    parts = members(good_bytes)
    _refused(zipped([*parts, parts[0]]), "two parts with the same name")
    _refused(zipped(parts + [(f"x{i}", b"") for i in range(MAX_ZIP_MEMBERS)]), "far more parts")


def test_float16_weights_are_accepted_and_widened(good_bytes, trained):
    half = edit_weights(good_bytes, lambda name, npy: _npy(np.load(io.BytesIO(npy)).astype(np.float16)))
    poem = load_bundle(half)
    loaded = poem.network.get_weights()
    assert all(w.dtype == np.float32 for w in loaded)
    assert all(np.allclose(a, b, atol=1e-2, rtol=1e-2) for a, b in zip(loaded, trained.poem.network.get_weights()))
    assert len(Generator(poem).generate("The mill", [0.0], length=10).samples[0].pieces) == 10


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.update(info=[1, 2]), "(info) are not an object"),
        (lambda d: d["info"].update(corpus="Frost"), "info.corpus has the wrong type"),
        (lambda d: d["info"]["corpus"].update(words=[1, 2]), "list of words"),
        (lambda d: d["info"]["training"].update(seq_len="100"), "info.training.seq_len has the wrong type"),
        (lambda d: d["info"]["training"].update(seq_len=-5), "out of range"),
        (lambda d: d["info"]["metrics"].update(best_val_loss=True), "best_val_loss has the wrong type"),
    ],
)
def test_info_parts_the_app_reads_must_have_their_types(good_bytes, change, fragment):
    _refused(edit_json(good_bytes, change), fragment)


def test_a_message_quoting_a_hostile_value_stays_one_short_line(good_bytes):
    message = _refused(edit_json(good_bytes, lambda d: d["model"].update(cell="x\n" * 100_000)), "cannot build")
    assert "\n" not in message and len(message) <= 300


def test_weights_json_listing_is_not_needed(good_bytes, trained):
    """The arrays are checked against the model description, not against the file's own list of shapes."""
    lying = edit_json(good_bytes, lambda d: d.update(weights=[{"name": "x", "shape": [10**9]}]))
    assert json.loads(members(lying)[0][1])["weights"][0]["shape"] == [10**9]
    assert load_bundle(lying).tokenizer.tokens == trained.poem.tokenizer.tokens

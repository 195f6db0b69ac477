import io
import json
import zipfile

import numpy as np
import pytest
from bundle_edits import edit_json, edit_weights, rewrite

from lstm_poem.files.bundle import BundleError, bundle_bytes, load_bundle, save_bundle
from lstm_poem.network.generate import Generator

PRIME = "The miller hung a lantern out\n"


def test_round_trip_gives_identical_poems(trained, generator, good_bytes, tmp_path):
    path = save_bundle(trained.poem, tmp_path / "model.zip")
    loaded = load_bundle(path)
    assert loaded.config == trained.poem.config
    assert loaded.tokenizer.tokens == trained.poem.tokenizer.tokens
    assert loaded.info["metrics"]["best_val_loss"] == trained.best_val_loss
    assert loaded.info["history"] == trained.poem.info["history"]
    before = generator.generate(PRIME, [0.0, 0.7, 1.3], length=120, seed=11)
    after = Generator(loaded).generate(PRIME, [0.0, 0.7, 1.3], length=120, seed=11)
    assert [s.text for s in after.samples] == [s.text for s in before.samples]
    assert load_bundle(io.BytesIO(good_bytes)).config == loaded.config


def test_float16_bundle_is_smaller_and_loads_as_float32(trained, small_text, good_bytes):
    from lstm_poem.measuring.evaluate import evaluate

    half = bundle_bytes(trained.poem, weight_dtype="float16")
    assert len(half) < 0.65 * len(good_bytes)
    loaded = load_bundle(half)
    assert {w.dtype for w in loaded.network.get_weights()} == {np.dtype("float32")}
    for original, restored in zip(trained.poem.network.get_weights(), loaded.network.get_weights()):
        np.testing.assert_allclose(restored, original, rtol=1e-3, atol=1e-4)
    change = evaluate(loaded, small_text).loss - evaluate(trained.poem, small_text).loss
    assert abs(change) < 0.002
    with pytest.raises(ValueError, match="weight_dtype"):
        bundle_bytes(trained.poem, weight_dtype="int8")


def test_bundle_records_versions_and_corpus(good_bytes):
    with zipfile.ZipFile(io.BytesIO(good_bytes)) as archive:
        document = json.loads(archive.read("bundle.json"))
    assert {"keras", "tensorflow", "lstm_poem"} <= set(document["versions"])
    assert document["info"]["corpus"]["chars"] > 0 and "lantern" in document["info"]["corpus"]["words"]


def test_random_bytes_and_empty_file():
    with pytest.raises(BundleError, match="not an lstm-poem model"):
        load_bundle(np.random.default_rng(0).bytes(5000))
    with pytest.raises(BundleError, match="empty"):
        load_bundle(b"")


def test_truncated_zip(good_bytes):
    with pytest.raises(BundleError, match="damaged or cut short"):
        load_bundle(good_bytes[: len(good_bytes) // 2])


def test_zip_bomb_is_refused_without_inflating():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bundle.json", b" " * 30_000_000)
        archive.writestr("weights.npz", b"")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(BundleError, match="too big"):
        load_bundle(out.getvalue())


def test_path_traversal_names_are_never_extracted(good_bytes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def edit(name, content):
        return content

    evil = io.BytesIO(rewrite(good_bytes, edit))
    with zipfile.ZipFile(evil, "a") as archive:
        archive.writestr("../../evil.py", "print('pwned')")
    poem = load_bundle(evil.getvalue())  # extra members are ignored, nothing is written
    assert poem.tokenizer.vocab_size > 0
    assert not (tmp_path.parent / "evil.py").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda d: d["model"].update(cell="Lambda"), "cannot build"),
        (lambda d: d["model"].update(units=2048, layers=3, embedding=1024), "too big"),
        (lambda d: d["model"].update(code="import os"), "unknown model setting"),
        (lambda d: d.update(format="keras"), "not an lstm-poem bundle"),
        (lambda d: d.update(format_version=99), "Update lstm-poem"),
        (lambda d: d["tokenizer"].update(level="byte"), "vocabulary is invalid"),
        (lambda d: d["tokenizer"]["tokens"].append("zz"), "vocabulary is invalid"),
        (lambda d: d["tokenizer"]["tokens"].pop(), "do not fit"),
    ],
)
def test_bad_descriptions(good_bytes, change, fragment):
    with pytest.raises(BundleError, match=fragment):
        load_bundle(edit_json(good_bytes, change))


def test_missing_or_damaged_weights(good_bytes):
    no_weights = rewrite(good_bytes, lambda name, content: None if name == "weights.npz" else content)
    with pytest.raises(BundleError, match="no bundle.json"):
        load_bundle(no_weights)
    garbage = rewrite(good_bytes, lambda name, content: b"garbage" if name == "weights.npz" else content)
    with pytest.raises(BundleError, match="weights are damaged"):
        load_bundle(garbage)


def test_pickled_weights_are_refused(good_bytes):
    def pickled(name, npy):
        if name != "w000.npy":
            return npy
        arrays = io.BytesIO()
        np.save(arrays, np.full(np.load(io.BytesIO(npy)).shape, object()), allow_pickle=True)
        return arrays.getvalue()

    with pytest.raises(BundleError, match=r"holds '\|O' values; weights must be float32 or float16"):
        load_bundle(edit_weights(good_bytes, pickled))


def test_keras_file_with_lambda_layer_is_refused(tmp_path):
    import keras

    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    path = tmp_path / "evil.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(BundleError, match="Keras model file"):
        load_bundle(path)
    h5 = tmp_path / "evil.h5"
    h5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(BundleError, match="HDF5"):
        load_bundle(h5)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    from lstm_poem import limits

    monkeypatch.setattr(limits, "MAX_BUNDLE_BYTES", 1000)
    path = tmp_path / "big.zip"
    path.write_bytes(b"\x00" * 2000)
    with pytest.raises(BundleError, match="limit"):
        load_bundle(path)
    with pytest.raises(BundleError, match="No such model file"):
        load_bundle(tmp_path / "missing.zip")

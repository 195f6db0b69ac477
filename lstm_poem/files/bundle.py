"""Save and load a trained model as one ``.zip``: JSON facts plus raw weight arrays.

A bundle is data, never code. Loading bounds and validates the JSON, checks
every weight array's header against the shapes the validated description
implies (:mod:`lstm_poem.files.bundle_checks`), reads the arrays, and only then builds
the architecture with :func:`~lstm_poem.network.model.build_model` and copies them in,
so a file from a stranger can neither run anything nor make the server
allocate more than the model it describes needs. Every way a file can be
wrong ends in a :class:`BundleError` whose message can be shown to the user as it is.
"""

from __future__ import annotations

import io
import json
import platform
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from lstm_poem import __version__, limits
from lstm_poem.checks import ConfigError
from lstm_poem.files.bundle_checks import (
    MAX_JSON_BYTES,
    BundleError,
    check_json_text,
    check_member_count,
    check_unique_names,
    max_weights_bytes,
    read_weight_arrays,
)
from lstm_poem.network.model import ModelConfig, PoemModel, build_model
from lstm_poem.network.numpy_writer import RecurrentWriter
from lstm_poem.text.tokenizer import Tokenizer

if TYPE_CHECKING:
    from lstm_poem.network.generate import Generator

__all__ = ["BundleContents", "BundleError", "bundle_bytes", "build_poem", "load_bundle", "read_bundle", "save_bundle"]

FORMAT = "lstm-poem-bundle"
FORMAT_VERSION = 1
_JSON_NAME = "bundle.json"
_WEIGHTS_NAME = "weights.npz"
SAVE_DTYPES = ("float32", "float16")  # what save_bundle can store; bundle_checks reads both


def bundle_bytes(poem: PoemModel, weight_dtype: str = "float32") -> bytes:
    """The model as the bytes of a ``.zip`` bundle (for a download button).

    ``weight_dtype="float16"`` stores the weights at half the size (for shipped
    models with a size budget); loading always turns them back into float32.
    """
    import keras
    import tensorflow as tf

    if weight_dtype not in SAVE_DTYPES:
        raise ValueError(f"weight_dtype must be one of {', '.join(SAVE_DTYPES)}, not {weight_dtype!r}")
    weights = [w.astype(weight_dtype) for w in poem.network.get_weights()]
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": poem.config.to_dict(),
        "tokenizer": poem.tokenizer.to_dict(),
        "info": poem.info,
        "weights": [{"name": v.path, "shape": list(v.shape)} for v in poem.network.weights],
        "versions": {
            "lstm_poem": __version__,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    arrays = io.BytesIO()
    np.savez(arrays, **{f"w{i:03d}": w for i, w in enumerate(weights)})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_JSON_NAME, json.dumps(document, ensure_ascii=False, indent=1))
        archive.writestr(_WEIGHTS_NAME, arrays.getvalue())
    return out.getvalue()


def save_bundle(poem: PoemModel, path: str | Path, weight_dtype: str = "float32") -> Path:
    """Write the bundle to ``path`` and return it."""
    path = Path(path)
    path.write_bytes(bundle_bytes(poem, weight_dtype))
    return path


@dataclass(frozen=True)
class BundleContents:
    """A bundle's checked parts, before any network is built (reading them needs no TensorFlow)."""

    config: ModelConfig
    tokenizer: Tokenizer
    info: dict[str, Any]
    weights: list[np.ndarray]  # float32, in Keras's order (ModelConfig.weight_shapes)

    def writer(self) -> RecurrentWriter | Generator:
        """What writes this model's poems: NumPy for a recurrent network, at once and without TensorFlow
        (:mod:`lstm_poem.network.numpy_writer`); a Transformer's compiled sampler otherwise."""
        if self.config.is_transformer:
            from lstm_poem.network.generate import Generator

            return Generator(build_poem(self))
        return RecurrentWriter(self.config, self.tokenizer, self.weights)


def read_bundle(source: str | Path | bytes | IO[bytes]) -> BundleContents:
    """Read and check a bundle from a path, bytes or an open binary file; raise :class:`BundleError`."""
    data = _read_source(source)
    check_member_count(data, "archive")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise BundleError(_not_a_zip_message(data)) from None
    with archive:
        names = set(check_unique_names(archive, "archive"))
        if _JSON_NAME not in names or _WEIGHTS_NAME not in names:
            if {"config.json", "metadata.json"} & names:
                raise BundleError(
                    "This is a Keras model file (.keras). For safety, lstm-poem only opens "
                    "its own model bundles (.zip), which hold weights and settings, never code."
                )
            raise BundleError("This zip file is not an lstm-poem model bundle (it has no bundle.json).")
        document = _parse_json(_read_member(archive, _JSON_NAME, MAX_JSON_BYTES))
        config, tokenizer = _parse_document(document)
        info = _check_info(document.get("info"))
        shapes = config.weight_shapes(tokenizer.vocab_size)
        weights = read_weight_arrays(_read_member(archive, _WEIGHTS_NAME, max_weights_bytes(shapes)), shapes)
    if not all(np.isfinite(w).all() for w in weights):
        raise BundleError("The model file's weights contain values that are not finite numbers.")
    return BundleContents(config, tokenizer, info, weights)


def build_poem(contents: BundleContents) -> PoemModel:
    """The Keras network of a bundle read by :func:`read_bundle`, with its weights in (this starts TensorFlow)."""
    network = build_model(contents.config, contents.tokenizer.vocab_size)
    if [tuple(v.shape) for v in network.weights] != [w.shape for w in contents.weights]:  # as weight_shapes() says
        raise BundleError("The model file's weights do not fit the model it describes.")
    network.set_weights(contents.weights)
    return PoemModel(network=network, tokenizer=contents.tokenizer, config=contents.config, info=contents.info)


def load_bundle(source: str | Path | bytes | IO[bytes]) -> PoemModel:
    """Read a bundle and build its network; raise :class:`BundleError`."""
    return build_poem(read_bundle(source))


def _read_source(source: str | Path | bytes | IO[bytes]) -> bytes:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise BundleError(f"No such model file: {path}")
        if path.stat().st_size > limits.MAX_BUNDLE_BYTES:
            raise BundleError(_too_big(path.stat().st_size))
        return path.read_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        data = source.read(limits.MAX_BUNDLE_BYTES + 1)
    if len(data) > limits.MAX_BUNDLE_BYTES:
        raise BundleError(_too_big(len(data)))
    if not data:
        raise BundleError("The model file is empty.")
    return data


def _too_big(size: int) -> str:
    return f"The model file is {size / 1e6:.0f} MB; the limit is {limits.MAX_BUNDLE_BYTES / 1e6:.0f} MB."


def _not_a_zip_message(data: bytes) -> str:
    if data.startswith(b"\x89HDF"):
        return (
            "This is an HDF5 (.h5) Keras file. For safety, lstm-poem only opens its own "
            "model bundles (.zip), which hold weights and settings, never code."
        )
    if data.startswith(b"PK"):
        return "The model file is damaged or cut short (the zip archive cannot be read)."
    return "This is not an lstm-poem model bundle (a .zip saved by this app)."


def _read_member(archive: zipfile.ZipFile, name: str, max_bytes: int) -> bytes:
    """Read one member, refusing to inflate more than ``max_bytes`` (zip bombs)."""
    info = archive.getinfo(name)
    if info.file_size > max_bytes:
        raise BundleError(f"The model file's {name} claims to be {info.file_size:,} bytes, which is too big.")
    try:
        with archive.open(info) as member:
            data = member.read(max_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise BundleError("The model file is damaged or cut short (a part of it cannot be read).") from None
    if len(data) > max_bytes:
        raise BundleError(f"The model file's {name} unpacks to more than {max_bytes:,} bytes.")
    return data


def _parse_json(raw: bytes) -> dict[str, Any]:
    check_json_text(raw)
    try:  # ValueError also covers integers too long to convert
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise BundleError("The model file's settings (bundle.json) are not valid JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleError("The model file's bundle.json is not an lstm-poem bundle description.")
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BundleError(
            f"This bundle was saved in format {version!r}; this version of lstm-poem reads "
            f"format {FORMAT_VERSION}. Update lstm-poem to open it."
        )
    return document


def _parse_document(document: dict[str, Any]) -> tuple[ModelConfig, Tokenizer]:
    try:
        config = ModelConfig.from_dict(document.get("model"))
    except (ConfigError, TypeError) as err:
        raise BundleError(f"The model file describes a model lstm-poem cannot build: {err}") from None
    try:
        tokenizer = Tokenizer.from_dict(document.get("tokenizer"))
    except (ValueError, TypeError) as err:
        raise BundleError(f"The model file's vocabulary is invalid: {err}") from None
    if tokenizer.level != config.level:
        raise BundleError("The model file is inconsistent: its vocabulary and model are at different levels.")
    try:
        config.check_size(tokenizer.vocab_size)
    except ConfigError as err:
        raise BundleError(f"The model file describes a model that is too big: {err}") from None
    return config, tokenizer


# Parts of ``info`` that the app reads, with the types it relies on; anything else is kept as it is.
_INFO_TYPES: dict[tuple[str, ...], tuple[type, ...]] = {
    ("name",): (str,),
    ("corpus",): (dict,),
    ("corpus", "name"): (str,),
    ("corpus", "words"): (list,),
    ("training",): (dict,),
    ("training", "seq_len"): (int,),
    ("metrics",): (dict,),
    ("metrics", "best_val_loss"): (int, float, type(None)),
}


def _check_info(info: Any) -> dict[str, Any]:
    """The facts about how the model was made, refused when a part the app reads has the wrong type."""
    if info is None:
        return {}
    if not isinstance(info, dict):
        raise BundleError("The model file's facts about its training (info) are not an object.")
    for path, types in _INFO_TYPES.items():
        parent = info if len(path) == 1 else info.get(path[0], {})
        if path[-1] in parent and (not isinstance(parent[path[-1]], types) or isinstance(parent[path[-1]], bool)):
            raise BundleError(f"The model file's info.{'.'.join(path)} has the wrong type.")
    if not all(isinstance(word, str) for word in info.get("corpus", {}).get("words", [])):
        raise BundleError("The model file's info.corpus.words must be a list of words.")
    seq_len = info.get("training", {}).get("seq_len", 100)
    if not 1 <= seq_len <= 10_000:
        raise BundleError(f"The model file's training window (info.training.seq_len = {seq_len}) is out of range.")
    return info

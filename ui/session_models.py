"""A session's models: trained here or uploaded, and the shipped pretrained ones every session shares.

Each session's own models live in ``st.session_state``, so students on a shared
server never see each other's; the pretrained models are listed from the catalog
at once but each is read from its file only when a page first uses it (once per
server, then only read), so a cold start costs the same with one or ten of them.
Pages read and change them only through these functions.

A session keeps at most ``limits.MAX_SESSION_MODELS`` models of its own, in
at most ``limits.MAX_SESSION_MODEL_BYTES``: past either, the least recently
used go (their names are kept to say so), and a student can remove one. And the
whole server's sessions together: an uploaded file that would take their models
past ``limits.MAX_SERVER_MODEL_BYTES`` is refused, and uploads are read one at
a time, since reading one briefly takes several times its size.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import streamlit as st

from lstm_poem import limits
from lstm_poem.files.bundle import BundleContents, build_poem
from lstm_poem.files.pretrained import PretrainedModel, pretrained_catalog
from lstm_poem.network.model import ModelConfig, PoemModel
from ui import memory
from ui.format import size

if TYPE_CHECKING:
    from lstm_poem.network.generate import Generator
    from lstm_poem.network.numpy_writer import RecurrentWriter

PRETRAINED_PREFIX = "pretrained-"
_GENERATOR_LOCK = threading.Lock()
_LOAD_LOCK = threading.RLock()  # a shared pretrained model is read once, however many sessions ask at once
_UPLOAD_LOCK = threading.Lock()  # one uploaded file is read at a time, for the whole server
log = logging.getLogger(__name__)


@dataclass
class ModelEntry:
    """A model the Generate page can use, with the things derived from it kept alongside."""

    key: str
    name: str
    source: str  # where it came from, in words
    _poem: PoemModel | None = field(repr=False)  # None until built from ``read``'s file
    about: str = ""  # how it was made, when that is worth telling (pretrained models)
    read: Callable[[], BundleContents] | None = field(default=None, repr=False)  # reads the file on first use
    _contents: BundleContents | None = field(default=None, repr=False)
    _bundle: bytes | None = field(default=None, repr=False)
    _generator: Any = field(default=None, repr=False)
    _writer: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._poem is None and self.read is None:
            raise TypeError("a ModelEntry needs a model or a way to read one")

    @property
    def contents(self) -> BundleContents:
        """The file's checked parts, read the first time they are needed (no TensorFlow)."""
        if self._contents is None:
            with _LOAD_LOCK:
                if self._contents is None:
                    self._contents = self.read()
                    memory.freeze_long_lived()  # it lives as long as the server: later collections skip it
        return self._contents

    @property
    def poem(self) -> PoemModel:
        """The Keras network, tokenizer and facts; built the first time a page needs the network (that starts
        TensorFlow). Writing poems does not need it: see :meth:`writer`."""
        if self._poem is None:
            contents = self.contents
            with _LOAD_LOCK:
                if self._poem is None:
                    self._poem = build_poem(contents)
                    memory.freeze_long_lived()
        return self._poem

    @property
    def config(self) -> ModelConfig:
        return self._poem.config if self._poem is not None else self.contents.config

    @property
    def info(self) -> dict[str, Any]:
        return self._poem.info if self._poem is not None else self.contents.info

    @property
    def nbytes(self) -> int:
        """Memory it holds: its weights, and its download file once built."""
        return self.poem.weight_bytes + (len(self._bundle) if self._bundle is not None else 0)

    @property
    def corpus_name(self) -> str:
        return str(self.info.get("corpus", {}).get("name", "unknown"))

    @property
    def best_val_loss(self) -> float | None:
        value = self.info.get("metrics", {}).get("best_val_loss")
        return float(value) if isinstance(value, int | float) else None

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """The training text's words, built once (up to 20,000 of them)."""
        return frozenset(self.info.get("corpus", {}).get("words", []))

    def bundle(self) -> bytes:
        """The model as a downloadable file (built once)."""
        from lstm_poem.files.bundle import bundle_bytes

        if self._bundle is None:
            self._bundle = bundle_bytes(self.poem)
        return self._bundle

    def generator(self) -> Generator:
        """The model's compiled sampler, for stepping a token at a time (built once: later calls are fast)."""
        from lstm_poem.network.generate import Generator

        with _GENERATOR_LOCK:  # a pretrained model is shared: two sessions must not both compile it
            if self._generator is None:
                self._generator = Generator(self.poem)
        return self._generator

    def writer(self) -> RecurrentWriter | Generator:
        """What writes this model's poems. A pretrained recurrent model writes with NumPy straight from its file,
        so a cold server's first poems need no TensorFlow (lstm_poem/network/numpy_writer.py); a model built
        here, or a Transformer, writes with its compiled sampler."""
        if self.read is None or self.config.is_transformer:
            return self.generator()
        with _GENERATOR_LOCK:
            if self._writer is None:
                self._writer = self.contents.writer()
        return self._writer


def models() -> dict[str, ModelEntry]:
    """This session's own models: trained here or uploaded, the least recently used first."""
    return st.session_state.setdefault("models", {})


@st.cache_resource(show_spinner=False)
def pretrained_models() -> dict[str, ModelEntry]:
    """The shipped demo models, listed once per server and shared read-only by every session.

    Listing reads no network: each entry loads its own the first time a page uses it, so the
    first page and the first poems wait for one model, not for all of them. Sharing is safe:
    generating never changes a model, and its compiled sampler takes everything per call as
    arguments. A damaged file (not a whole zip, e.g. a Git LFS pointer) is left out rather
    than breaking the page.
    """
    return {PRETRAINED_PREFIX + item.name: _pretrained_entry(item) for item in pretrained_catalog() if _whole(item)}


def _pretrained_entry(item: PretrainedModel) -> ModelEntry:
    about = (
        f"Pretrained: {item.description} Held-out loss {item.held_out_loss:.3f} nats per character on "
        f"{item.held_out} (trained {item.trained_on}; the command is in pretrained/catalog.json)."
    )
    return ModelEntry(PRETRAINED_PREFIX + item.name, item.title, "pretrained", None, about=about, read=item.read)


def _whole(item: PretrainedModel) -> bool:
    """Whether the file is a zip whose every member matches its checksum (milliseconds, no TensorFlow)."""
    try:
        with zipfile.ZipFile(item.path) as archive:
            damaged = archive.testzip()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as err:
        damaged = str(err)
    if damaged is not None:
        log.warning("left out the pretrained model %s: its file is damaged (%s)", item.path, damaged)
    return damaged is None


def available_models() -> dict[str, ModelEntry]:
    """Everything the Generate page offers: this session's models first, then the pretrained ones."""
    return {**models(), **pretrained_models()}


def current_model() -> ModelEntry | None:
    key = st.session_state.get("current_model", "")
    if key.startswith(PRETRAINED_PREFIX):  # only look there when chosen: loading needs TensorFlow
        return pretrained_models().get(key)
    return models().get(key)


def select_model(key: str) -> None:
    """Make ``key`` the current model (and, for one of this session's own, its most recently used)."""
    st.session_state["current_model"] = key
    own = models()
    if key in own:
        own[key] = own.pop(key)


@st.cache_resource(show_spinner=False)
def _every_sessions_models() -> weakref.WeakValueDictionary:
    """Every session's own models, for the server's budget: a model leaves it with the last session holding it."""
    return weakref.WeakValueDictionary()


def server_model_bytes() -> int:
    """Memory of the models every session of this server keeps of its own."""
    return sum(entry.nbytes for entry in list(_every_sessions_models().values()))


def add_model(entry: ModelEntry) -> ModelEntry:
    """Register a model (once per key) and make it the current one; beyond the session's budget the least
    recently used others are dropped, and :func:`take_dropped_names` says which."""
    entry = models().setdefault(entry.key, entry)
    _every_sessions_models()[id(entry)] = entry
    select_model(entry.key)
    _keep_within_budget(keep=entry.key)
    return entry


def kept_bytes() -> int:
    return sum(entry.nbytes for entry in models().values())


def _own_bytes_with(new_bytes: int) -> int:
    """This session's bytes once a model of ``new_bytes`` joins and the least recently used leave for its budget."""
    sizes = [entry.nbytes for entry in models().values()]  # least recently used first
    while sizes and (
        len(sizes) + 1 > limits.MAX_SESSION_MODELS or sum(sizes) + new_bytes > limits.MAX_SESSION_MODEL_BYTES
    ):
        sizes.pop(0)
    return sum(sizes) + new_bytes


def _keep_within_budget(keep: str) -> None:
    own = models()
    for key in list(own):  # least recently used first
        if len(own) <= limits.MAX_SESSION_MODELS and kept_bytes() <= limits.MAX_SESSION_MODEL_BYTES:
            return
        if key != keep:
            st.session_state.setdefault("models_dropped", []).append(own.pop(key).name)


def take_dropped_names() -> list[str]:
    """Names of the models dropped to stay within budget since the last call."""
    return st.session_state.pop("models_dropped", [])


def remove_model(key: str) -> None:
    """Forget one of this session's models; the most recently used one left becomes the current one."""
    own = models()
    own.pop(key, None)
    if st.session_state.get("current_model") == key:
        st.session_state["current_model"] = next(reversed(own), "")


def add_uploaded_model(data: bytes, file_name: str) -> ModelEntry:
    """Load a bundle someone uploaded (raises BundleError for anything that is not one)."""
    from lstm_poem.files.bundle import load_bundle

    key = "upload-" + hashlib.sha256(data).hexdigest()[:16]
    if key in models():
        select_model(key)
        return models()[key]
    with _UPLOAD_LOCK:
        # Before reading: a float16 file's weights take twice its size in memory (a compressed one more, so the
        # model read is measured again below).
        _check_server_room(2 * len(data))
        poem = load_bundle(data)
        _check_server_room(poem.weight_bytes)
        return add_model(ModelEntry(key, file_name, "uploaded", poem))  # the picker adds "(uploaded)"


def _check_server_room(new_bytes: int) -> None:
    """Raise BundleError when a model of ``new_bytes`` would take every session's models past the server's budget."""
    from lstm_poem.files.bundle import BundleError

    others = server_model_bytes() - kept_bytes()
    if others + _own_bytes_with(new_bytes) > limits.MAX_SERVER_MODEL_BYTES:
        raise BundleError(
            f"This server already keeps {size(others)} of models for its other students, near its "
            f"{size(limits.MAX_SERVER_MODEL_BYTES)}, and this model needs {size(new_bytes)} more. "
            "Try a smaller model, or again in a few minutes."
        )

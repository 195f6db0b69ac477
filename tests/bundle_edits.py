"""Ways to take a real bundle apart and put it back wrong, shared by the bundle tests and the fuzzer.

Each function takes the bytes of a bundle and returns new bytes; members are
re-zipped with correct checksums, so the change reaches the loader's later
checks instead of stopping at the zip's own.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Callable

import numpy as np

Members = list[tuple[str, bytes]]


def members(data: bytes) -> Members:
    """The (name, content) pairs of a zip, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def zipped(parts: Members, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", compression=compression) as archive:
        warnings.simplefilter("ignore", UserWarning)  # a repeated name is the point of some edits
        for name, content in parts:
            archive.writestr(name, content)
    return out.getvalue()


def rewrite(data: bytes, edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """Copy a bundle, letting ``edit(name, content)`` change a member or drop it (by returning None)."""
    parts = [(name, edit(name, content)) for name, content in members(data)]
    return zipped([(name, content) for name, content in parts if content is not None])


def edit_member(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The bundle with one member's bytes replaced by ``change(old bytes)``."""
    return rewrite(data, lambda name, content: change(content) if name == member else content)


def edit_json(data: bytes, change: Callable[[dict], None]) -> bytes:
    """The bundle with ``change`` applied to its parsed bundle.json."""

    def edit(content: bytes) -> bytes:
        document = json.loads(content)
        change(document)
        return json.dumps(document).encode()

    return edit_member(data, "bundle.json", edit)


def edit_weights(data: bytes, edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """The bundle with ``edit(name, content)`` applied to the ``.npy`` members of its weights.npz
    (stored uncompressed, as ``numpy.savez`` writes them)."""

    def change(npz: bytes) -> bytes:
        parts = [(name, edit(name, content)) for name, content in members(npz)]
        return zipped([(name, content) for name, content in parts if content is not None], zipfile.ZIP_STORED)

    return edit_member(data, "weights.npz", change)


def npy_header(descr: str = "<f4", fortran_order: bool = False, shape: tuple[int, ...] = ()) -> bytes:
    """An ``.npy`` header exactly as numpy writes it, claiming whatever it is told to."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": descr, "fortran_order": fortran_order, "shape": shape})
    return out.getvalue()


def with_header(npy: bytes, **claims) -> bytes:
    """A numpy-written ``.npy`` member with its header replaced by one making ``claims``, data unchanged."""
    old_length = int.from_bytes(npy[8:10], "little")
    return npy_header(**claims) + npy[10 + old_length :]


def huge_array_claim(data: bytes, shape: tuple[int, ...] = (100_000, 100_000)) -> bytes:
    """The first weight array's header claims ``shape`` (37 GiB by default) over its small data."""
    return edit_weights(data, lambda name, npy: with_header(npy, shape=shape) if name == "w000.npy" else npy)


def deeply_nested_json(data: bytes, depth: int = 100_000) -> bytes:
    """bundle.json with a list nested ``depth`` levels deep in its info."""

    def change(content: bytes) -> bytes:
        document = json.loads(content)
        document["info"]["notes"] = "NESTED"
        return json.dumps(document).replace('"NESTED"', "[" * depth + "]" * depth).encode()

    return edit_member(data, "bundle.json", change)

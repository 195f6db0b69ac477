"""Checks a bundle's raw parts before anything in them is parsed or allocated.

Model files come from students on a shared server, so every size a file
states about itself is compared with what the validated model description
allows before a byte of it is trusted: the number of zip members, the depth
and size of ``bundle.json``, and each weight array's header (dtype, shape,
order) against the shapes the model needs. Only then are the arrays read, and
nothing larger than a valid model of the described size is ever allocated.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib

import numpy as np

# A real bundle.json is well under 1 MB (a word model with 50,000 tokens and
# its corpus words); parsing 5 MB of tiny JSON values still stays in the low
# hundreds of MB, so the text is bounded by size, depth and container count.
MAX_JSON_BYTES = 5_000_000
# Each fine-tuning nests its base's facts one level deeper; 100 leaves room
# for long chains while staying far below Python's recursion limit.
MAX_JSON_DEPTH = 100
MAX_JSON_CONTAINERS = 100_000
# Bundles hold 2 members; their weights at most 12 arrays for 3 stacked recurrent layers, and
# 101 for a Transformer of 8 blocks (5 + 12 per block).
MAX_ZIP_MEMBERS = 128
# numpy writes 118-byte headers padded to 128; anything much larger is not ours.
MAX_NPY_HEADER = 1024
# Zip bookkeeping around each stored array (local and central headers, zip64
# extras), plus a possible archive comment.
_ZIP_OVERHEAD_PER_MEMBER = 512
_ZIP_OVERHEAD = 70_000
# float16 is accepted so that a bundle may store half-size weights; they are
# widened to float32 on load.
WEIGHT_DTYPES = {"<f4", ">f4", "<f2", ">f2"}
_WIDEST_ITEMSIZE = 4

_NPY_MAGIC = b"\x93NUMPY"
_NPY_LENGTH_FORMATS = {(1, 0): "<H", (2, 0): "<I"}
# The exact header numpy writes: keys sorted, a Python tuple for the shape,
# padded with spaces to a 64-byte boundary and ended by a newline.
_NPY_HEADER = re.compile(
    r"\{'descr': '(?P<descr>[<>|=]?[a-zA-Z]\d{0,2})', 'fortran_order': (?P<fortran>True|False), "
    r"'shape': \((?P<shape>(?:\d{1,18}, )*(?:\d{1,18})?|\d{1,18},)\), \} *\n"
)
# A JSON string literal, so that brackets inside strings are not counted as nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_NON_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class BundleError(ValueError):
    """The file is not a usable lstm-poem model; the message says why.

    The message is kept to one short line even when it quotes a value from a
    hostile file, so a page or a terminal can show it as it is.
    """

    MAX_MESSAGE = 300

    def __init__(self, message: str):
        message = " ".join(message.split())
        if len(message) > self.MAX_MESSAGE:
            message = message[: self.MAX_MESSAGE - 1] + "…"
        super().__init__(message)


def check_member_count(data: bytes, what: str) -> None:
    """Refuse a zip with more members than a bundle ever has, before its directory is parsed.

    Every central-directory entry starts with the signature counted here, so
    the count is an upper bound on what ``zipfile`` would build objects for.
    """
    if data.count(b"PK\x01\x02") > MAX_ZIP_MEMBERS:
        raise BundleError(f"The model file's {what} has far more parts than a model bundle has.")


def check_unique_names(archive: zipfile.ZipFile, what: str) -> list[str]:
    """The archive's member names; refuse one that repeats a name (which copy would count?)."""
    names = archive.namelist()
    if len(set(names)) != len(names):
        raise BundleError(
            f"The model file's {what} holds two parts with the same name, so it is not a bundle we saved."
        )
    return names


def check_json_text(raw: bytes) -> None:
    """Refuse ``bundle.json`` text nested deeper or holding more objects and lists than a bundle's.

    Counted on the raw bytes with string literals removed, so a hostile file
    cannot make the JSON parser recurse or build millions of containers.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _JSON_NON_BRACKETS)
    steps = np.frombuffer(brackets, dtype=np.uint8)
    opens = (steps == ord("[")) | (steps == ord("{"))
    if steps.size and int(np.cumsum(np.where(opens, 1, -1)).max()) > MAX_JSON_DEPTH:
        raise BundleError(
            f"The model file's settings (bundle.json) are nested more than {MAX_JSON_DEPTH} levels deep, "
            "which a model bundle never is."
        )
    if int(opens.sum()) > MAX_JSON_CONTAINERS:
        raise BundleError("The model file's settings (bundle.json) hold far more entries than a model bundle has.")


def max_weights_bytes(shapes: list[tuple[int, ...]]) -> int:
    """The largest ``weights.npz`` a model with these weight shapes can have."""
    arrays = sum(_WIDEST_ITEMSIZE * math.prod(shape) + MAX_NPY_HEADER + _ZIP_OVERHEAD_PER_MEMBER for shape in shapes)
    return arrays + _ZIP_OVERHEAD


def read_weight_arrays(npz: bytes, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """The arrays ``w000.npy``, ``w001.npy``, … of a ``weights.npz``, as float32 of exactly ``shapes``.

    Each header is checked against its expected shape and the member's sizes
    before its data is read, so a header that claims a huge array allocates nothing.
    """
    check_member_count(npz, "weights")
    try:
        archive = zipfile.ZipFile(io.BytesIO(npz))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise BundleError("The model file's weights are damaged or in an unknown format.") from None
    with archive:
        names = check_unique_names(archive, "weights")
        expected = [f"w{i:03d}.npy" for i in range(len(shapes))]
        if sorted(names) != expected:
            raise BundleError(_array_count_message(names, expected))
        return [_read_array(archive, name, shape) for name, shape in zip(expected, shapes)]


def _array_count_message(names: list[str], expected: list[str]) -> str:
    missing = sorted(set(expected) - set(names))
    if missing:
        return f"The model file's weights are incomplete: {len(missing)} of the {len(expected)} arrays are missing."
    return f"The model file's weights hold arrays the model does not have (it needs {len(expected)})."


def _read_array(archive: zipfile.ZipFile, name: str, shape: tuple[int, ...]) -> np.ndarray:
    info = archive.getinfo(name)
    largest = MAX_NPY_HEADER + _WIDEST_ITEMSIZE * math.prod(shape)
    if info.file_size > largest:
        raise BundleError(f"The model file's weight array {name} is larger than the model it describes allows.")
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise BundleError(f"The model file's weight array {name} has sizes that do not add up.")
    try:
        with archive.open(info) as member:
            head = member.read(min(info.file_size, MAX_NPY_HEADER))
            dtype, data_start = _check_header(head, name, shape)
            if info.file_size != data_start + dtype.itemsize * math.prod(shape):
                raise BundleError(f"The model file's weight array {name} has sizes that do not add up.")
            data = head[data_start:] + member.read()
    except BundleError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise BundleError("The model file is damaged or cut short (a weight array cannot be read).") from None
    if len(data) != dtype.itemsize * math.prod(shape):
        raise BundleError(f"The model file's weight array {name} is cut short.")
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(np.float32)


def _check_header(head: bytes, name: str, shape: tuple[int, ...]) -> tuple[np.dtype, int]:
    """The dtype and the offset of the data, from an ``.npy`` header that must describe ``shape``."""
    length_format = _NPY_LENGTH_FORMATS.get(tuple(head[6:8]))
    if not head.startswith(_NPY_MAGIC) or length_format is None:
        raise BundleError(f"The model file's weight array {name} is not a numpy array file.")
    prefix = len(_NPY_MAGIC) + 2 + struct.calcsize(length_format)
    if len(head) < prefix:
        raise BundleError(f"The model file's weight array {name} is cut short.")
    (length,) = struct.unpack_from(length_format, head, len(_NPY_MAGIC) + 2)
    match = (
        _NPY_HEADER.fullmatch(head[prefix : prefix + length].decode("latin-1"))
        if prefix + length <= len(head)
        else None
    )
    if match is None:
        raise BundleError(f"The model file's weight array {name} has a header lstm-poem does not write.")
    if match["descr"] not in WEIGHT_DTYPES:
        raise BundleError(
            f"The model file's weight array {name} holds {match['descr']!r} values; weights must be "
            "float32 or float16 numbers."
        )
    if match["fortran"] == "True":
        raise BundleError(
            f"The model file's weight array {name} is stored column by column, which lstm-poem never does."
        )
    found = tuple(int(size) for size in match["shape"].replace(",", " ").split())
    if found != shape:
        raise BundleError(
            f"The model file's weights do not fit the model it describes: array {name} has shape {found}, "
            f"the model needs {shape}."
        )
    return np.dtype(match["descr"]), prefix + length

"""Classic public-domain corpora, downloaded on demand and cached on disk.

:func:`download_classic` fetches one text from its canonical public address
(Project Gutenberg, or the TensorFlow tutorial's Shakespeare), refuses
anything too big, too slow or not text, strips Gutenberg's boilerplate (in
:func:`~lstm_poem.text.corpus.load_corpus`) and keeps the clean text in a cache
folder, so the second use is instant and works offline. A failed download
leaves nothing behind: the text is written to a temporary file and renamed
into place only when it is complete and valid.

``LSTM_POEM_CORPUS_MIRROR`` replaces every address with
``<mirror>/<file name>``, for a classroom server or for tests that serve
``shared/corpora`` on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from lstm_poem import limits
from lstm_poem.text.corpus import Corpus, CorpusError, load_corpus

CHUNK_BYTES = 64 * 1024
USER_AGENT = "lstm-poem (classroom poem generator)"

# Called as bytes arrive: (bytes so far, expected total or None when the server does not say).
DownloadProgress = Callable[[int, "int | None"], None]


class DownloadError(CorpusError):
    """A classic corpus could not be fetched; the message says why, in plain words."""


@dataclass(frozen=True)
class Classic:
    """A well-known public-domain text with a stable public address."""

    name: str
    title: str
    author: str
    form: str
    description: str
    url: str
    file_name: str  # name in the cache, and on a mirror
    license: str = "public domain"

    @property
    def source_url(self) -> str:
        """Where it is fetched from: the canonical address, or the mirror when one is set."""
        mirror = os.environ.get("LSTM_POEM_CORPUS_MIRROR", "").rstrip("/")
        return f"{mirror}/{self.file_name}" if mirror else self.url

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.source_url).hostname or ""


def _gutenberg(number: int) -> str:
    return f"https://www.gutenberg.org/cache/epub/{number}/pg{number}.txt"


CLASSICS: tuple[Classic, ...] = (
    Classic(
        "shakespeare_sonnets",
        "Shakespeare's Sonnets",
        "William Shakespeare",
        "sonnets",
        "All 154 sonnets (1609): iambic pentameter, rhymed ABAB CDCD EFEF GG. About 100 KB.",
        _gutenberg(1041),
        "shakespeare_sonnets.txt",
    ),
    Classic(
        "tinyshakespeare",
        "Tiny Shakespeare",
        "William Shakespeare",
        "drama in blank verse",
        "Dialogue from the plays, as used by char-rnn and the TensorFlow text tutorial. About 1.1 MB: "
        "slow to train on a shared machine, but the classic benchmark.",
        "https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt",
        "tinyshakespeare.txt",
    ),
    Classic(
        "frost_mountain_interval",
        "Mountain Interval",
        "Robert Frost",
        "lyric and narrative verse",
        'Frost\'s 1916 collection, which opens with "The Road Not Taken". About 65 KB.',
        _gutenberg(29345),
        "frost_mountain_interval.txt",
    ),
    Classic(
        "frost_north_of_boston",
        "North of Boston",
        "Robert Frost",
        "blank-verse dialogues",
        'Frost\'s 1914 book of New England voices, including "Mending Wall". About 95 KB.',
        _gutenberg(3026),
        "frost_north_of_boston.txt",
    ),
    Classic(
        "blake",
        "Poems of William Blake",
        "William Blake",
        "songs and lyrics",
        'Songs of Innocence and of Experience and other poems, "The Tyger" among them. About 40 KB.',
        _gutenberg(574),
        "blake.txt",
    ),
    Classic(
        "dickinson",
        "Poems by Emily Dickinson, Three Series",
        "Emily Dickinson",
        "short lyrics in hymn metre",
        "Hundreds of short poems with dashes and slant rhyme. About 200 KB.",
        _gutenberg(12242),
        "dickinson.txt",
    ),
    Classic(
        "whitman",
        "Leaves of Grass",
        "Walt Whitman",
        "free verse",
        "The 1891-92 edition: long unrhymed lines and catalogues. About 2 MB: slow to train here.",
        _gutenberg(1322),
        "whitman.txt",
    ),
)


def find_classic(name: str) -> Classic:
    """The classic with this name; raise :class:`DownloadError` listing the names otherwise."""
    for classic in CLASSICS:
        if classic.name == name:
            return classic
    names = ", ".join(c.name for c in CLASSICS)
    raise DownloadError(f"There is no classic corpus called {name!r}. Choose one of: {names}.")


def cache_dir() -> Path:
    """Where downloaded texts are kept (``LSTM_POEM_CACHE_DIR``, else ``~/.cache/lstm-poem/corpora``)."""
    configured = os.environ.get("LSTM_POEM_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "lstm-poem" / "corpora"


def cached_path(classic: Classic, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / classic.file_name


def is_cached(classic: Classic, directory: Path | None = None) -> bool:
    return cached_path(classic, directory).is_file()


def can_reach(classic: Classic, timeout: float = 2.0) -> bool:
    """Whether the classic's server answers at all: a quick check so the page can say "needs the internet"."""
    parts = urllib.parse.urlsplit(classic.source_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def download_classic(
    classic: Classic,
    *,
    directory: Path | None = None,
    on_progress: DownloadProgress | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    max_bytes: int | None = None,
) -> Corpus:
    """Return the classic as a :class:`Corpus`, from the cache or else from the network.

    ``timeout`` bounds each wait on the server (connect, or a pause between
    bytes); ``deadline`` bounds the whole download; ``max_bytes`` the size.
    Every failure raises :class:`DownloadError` and leaves no file behind.
    """
    path = cached_path(classic, directory)
    if path.is_file():
        try:
            return load_corpus(path, name=classic.name)
        except CorpusError:
            path.unlink(missing_ok=True)  # a damaged cache entry: fetch it again
    timeout = limits.DOWNLOAD_TIMEOUT_SECONDS if timeout is None else timeout
    deadline = limits.DOWNLOAD_DEADLINE_SECONDS if deadline is None else deadline
    max_bytes = limits.MAX_CORPUS_BYTES if max_bytes is None else max_bytes
    data = _fetch(classic, timeout, deadline, max_bytes, on_progress)
    _refuse_web_page(classic, data)
    try:
        corpus = load_corpus(data, name=classic.name, max_bytes=max_bytes)
    except CorpusError as err:
        raise DownloadError(f"The download of {classic.title} is not usable text: {err}") from None
    with contextlib.suppress(OSError):  # a read-only or full disk only costs the next user a download
        _write_atomically(path, corpus.text.encode("utf-8"))
    return corpus


def _fetch(
    classic: Classic, timeout: float, deadline: float, max_bytes: int, on_progress: DownloadProgress | None
) -> bytes:
    url = classic.source_url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed http(s) URLs
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                raise DownloadError(_too_big(classic, total, max_bytes))
            chunks: list[bytes] = []
            received = 0
            while chunk := response.read1(CHUNK_BYTES):  # read1: whatever has arrived, so limits are checked often
                received += len(chunk)
                if received > max_bytes:
                    raise DownloadError(_too_big(classic, received, max_bytes))
                if time.monotonic() - started > deadline:
                    raise DownloadError(
                        f"Downloading {classic.title} took longer than {deadline:g} s, so it was stopped. "
                        "The connection may be slow; try again later."
                    )
                chunks.append(chunk)
                if on_progress is not None:
                    on_progress(received, total)
    except urllib.error.HTTPError as err:
        raise DownloadError(f"The server for {classic.title} answered {err.code} {err.reason} ({url}).") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise DownloadError(_stalled(classic, timeout)) from None
        raise DownloadError(
            f"{classic.title} needs the internet, and {classic.host} could not be reached ({err.reason})."
        ) from None
    except TimeoutError:
        raise DownloadError(_stalled(classic, timeout)) from None
    except (HTTPException, OSError) as err:
        raise DownloadError(f"The download of {classic.title} broke off: {err}. Try again.") from None
    return b"".join(chunks)


def _refuse_web_page(classic: Classic, data: bytes) -> None:
    # A captive portal or an error page served with status 200 would otherwise become a "corpus" of HTML.
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise DownloadError(
            f"The server sent a web page instead of the text of {classic.title}. "
            "A network login page may be in the way."
        )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it in: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the text is public and shared by sessions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _too_big(classic: Classic, size: int, max_bytes: int) -> str:
    return (
        f"{classic.title} is larger than the limit of {max_bytes / 1e6:.1f} MB "
        f"(at least {size / 1e6:.1f} MB), so the download was stopped."
    )


def _stalled(classic: Classic, timeout: float) -> str:
    return (
        f"The server for {classic.title} stopped answering for {timeout:g} s, so the download was stopped. "
        "Try again later."
    )

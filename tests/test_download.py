"""The classic-corpus downloader against a real HTTP server on 127.0.0.1.

The server serves the files of ``../shared/corpora`` (when present) and a tiny
Gutenberg-style file made from the project's own verse, plus routes that
misbehave: a 404, a web page, random bytes, an endless stream, a lying
Content-Length, a stall and a slow drip.
"""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import BALLADS, SHARED_CORPORA
from lstm_poem import cli, download
from lstm_poem.download import CLASSICS, Classic, DownloadError, can_reach, download_classic, find_classic

GUTENBERG_HEADER = (
    "The Project Gutenberg eBook of Test Ballads\n\nThis ebook is for the use of anyone anywhere.\n\n"
    "*** START OF THE PROJECT GUTENBERG EBOOK TEST BALLADS ***\n\n"
)
GUTENBERG_FOOTER = "\n\n*** END OF THE PROJECT GUTENBERG EBOOK TEST BALLADS ***\n\nSection 1. General Terms of Use\n"
RELEASE = threading.Event()  # set at teardown so stalled handlers return


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _start(self, status: int = 200, length: int | None = None, kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send(self, body: bytes, kind: str = "text/plain") -> None:
        self._start(200, len(body), kind)
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        route = self.path.strip("/")
        try:
            if route == "gutenberg.txt":
                self._send((GUTENBERG_HEADER + BALLADS.read_text(encoding="utf-8") + GUTENBERG_FOOTER).encode())
            elif route == "garbage.txt":
                self._send(os.urandom(30_000))
            elif route == "page.html":
                self._send(b"<!DOCTYPE html><html><body>Please log in to the Wi-Fi</body></html>", "text/html")
            elif route == "endless.txt":
                self._start()
                while not RELEASE.is_set():
                    self.wfile.write(b"and on and on the river ran\n" * 1000)
            elif route == "declared-huge.txt":
                self._start(length=5_000_000_000)
                self.wfile.write(b"verse\n")
            elif route == "stall.txt":
                self._start(length=100_000)
                self.wfile.write(b"The first line arrives and then nothing\n")
                self.wfile.flush()
                RELEASE.wait(10)
            elif route == "drip.txt":
                self._start()
                for _ in range(100):
                    self.wfile.write(b"drip\n")
                    self.wfile.flush()
                    if RELEASE.wait(0.2):
                        break
            elif (SHARED_CORPORA / route).is_file() and "/" not in route:
                self._send((SHARED_CORPORA / route).read_bytes())
            else:
                self.send_error(404, "File not found")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should


@pytest.fixture(scope="module")
def server():
    RELEASE.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    RELEASE.set()
    httpd.shutdown()
    httpd.server_close()


def classic_at(url: str) -> Classic:
    return Classic("test", "Test Ballads", "Anon", "ballads", "for tests", url, "test.txt")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_success_strips_gutenberg_and_caches(server, tmp_path):
    seen: list[tuple[int, int | None]] = []
    corpus = download_classic(
        classic_at(f"{server}/gutenberg.txt"), directory=tmp_path, on_progress=lambda n, t: seen.append((n, t))
    )
    ballads = BALLADS.read_text(encoding="utf-8")
    assert corpus.text == ballads
    assert "Project Gutenberg header and licence text were removed." in corpus.notes
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the announced total
    assert leftovers(tmp_path) == ["test.txt"]
    assert (tmp_path / "test.txt").read_text(encoding="utf-8") == ballads


def test_cache_hit_needs_no_server(server, tmp_path):
    download_classic(classic_at(f"{server}/gutenberg.txt"), directory=tmp_path)
    calls: list[int] = []
    again = download_classic(
        classic_at("http://127.0.0.1:9/unreachable.txt"), directory=tmp_path, on_progress=lambda n, t: calls.append(n)
    )
    assert again.text == BALLADS.read_text(encoding="utf-8")
    assert calls == []


def test_damaged_cache_entry_is_fetched_again(server, tmp_path):
    (tmp_path / "test.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    corpus = download_classic(classic_at(f"{server}/gutenberg.txt"), directory=tmp_path)
    assert corpus.text == BALLADS.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("route", "options", "message"),
    [
        ("missing.txt", {}, "answered 404"),
        ("garbage.txt", {}, "is not usable text"),
        ("page.html", {}, "web page instead of the text"),
        ("endless.txt", {"max_bytes": 300_000}, "larger than the limit of 0.3 MB"),
        ("declared-huge.txt", {}, "larger than the limit"),
        ("stall.txt", {"timeout": 0.5}, "stopped answering for 0.5 s"),
        ("drip.txt", {"deadline": 0.5}, "took longer than 0.5 s"),
    ],
)
def test_failures_have_clear_messages_and_leave_nothing(server, tmp_path, route, options, message):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=message):
        download_classic(classic_at(f"{server}/{route}"), directory=tmp_path, **options)
    assert time.monotonic() - started < 8  # gave up on its own, did not hang
    assert leftovers(tmp_path) == []


def test_offline_says_it_needs_the_internet(tmp_path):
    offline = classic_at("http://127.0.0.1:9/nothing-listens-here.txt")
    assert not can_reach(offline, timeout=0.5)
    with pytest.raises(DownloadError, match="needs the internet"):
        download_classic(offline, directory=tmp_path)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("classic", [c for c in CLASSICS if (SHARED_CORPORA / c.file_name).is_file()], ids=str)
def test_mirror_serves_the_shared_corpora(server, tmp_path, monkeypatch, classic):
    monkeypatch.setenv("LSTM_POEM_CORPUS_MIRROR", server)
    assert classic.source_url == f"{server}/{classic.file_name}"
    assert can_reach(classic)
    corpus = download_classic(classic, directory=tmp_path)
    expected = (SHARED_CORPORA / classic.file_name).read_text(encoding="utf-8")
    assert corpus.text == expected


def test_every_classic_has_a_canonical_public_address():
    for classic in CLASSICS:
        assert classic.url.startswith("https://")
        assert classic.url.endswith(".txt")
        assert find_classic(classic.name) is classic
    with pytest.raises(DownloadError, match="Choose one of"):
        find_classic("no-such-corpus")


def test_command_line_downloads_then_uses_the_cache(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LSTM_POEM_CACHE_DIR", str(tmp_path))
    blake = Classic("blake", "Test Ballads", "Anon", "ballads", "for tests", f"{server}/gutenberg.txt", "blake.txt")
    monkeypatch.setattr(download, "CLASSICS", (blake,))
    assert cli.main(["corpora", "--download", "blake", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["from_cache"] is False and first["chars"] == len(BALLADS.read_text(encoding="utf-8"))
    assert cli.main(["corpora", "--download", "blake", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["from_cache"] is True
    assert cli.main(["corpora", "--download", "nonexistent"]) == 2
    assert "Choose one of" in capsys.readouterr().err

"""A real HTTP server on 127.0.0.1 for downloader tests: no test touches the internet.

It serves the files of ``../shared/corpora`` (when present) and a small
Gutenberg-style file made from the project's own verse, plus routes that
misbehave: a 404, a web page, random bytes, an endless stream, a lying
Content-Length, a stall and a slow drip.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from repo_paths import BALLADS, SHARED_CORPORA

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
            if route == "gutenberg.txt" or route.startswith("wrapped/"):  # wrapped/<any name>: a mirror
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


@contextmanager
def serve() -> Iterator[str]:
    """Run the server on a free port; yield its base URL."""
    RELEASE.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        RELEASE.set()
        httpd.shutdown()
        httpd.server_close()

"""Text is text, in a real browser: hostile names, file names and seeds make no request and no heading.

A watcher HTTP server on 127.0.0.1 counts every request it gets. Strings that
would fetch from it if drawn as Markdown or HTML (an image, an ``<img>`` tag;
URLs in file names use backslashes, which browsers read as slashes) reach the
pages as a bundle's corpus name, a broken bundle's echoed ``format_version``,
uploaded file names, a seed line and the Inside page's text. After each the
watcher must have had no request, and nothing with the text may render as a
heading or image, in the page or its sidebar. Uses the server, browser and
session fixtures of ``test_browser.py`` (its own server). Skipped where
Chromium or Playwright is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bundle_edits import edit_json
from test_browser import (  # noqa: F401 - fixtures are found by name
    app_url,
    browser,
    nav,
    page,
    pytestmark,
)

FIRST_POEMS_MS = 180_000  # the first page a fresh server draws loads TensorFlow and the models
TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "img"]
MARKUP_TAGS = ", ".join(f"{where} {tag}" for where in ("main", "[data-testid=stSidebar]") for tag in TAGS)


class Watcher:
    """A local HTTP server that only counts what asks it for anything."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        watcher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                watcher.requests.append(self.path)
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def hostile(self, label: str) -> str:
        """A string that would fetch ``/label`` from the watcher if it were drawn as Markdown or HTML, with a
        heading mark, LaTeX, and a right-to-left override and zero-width space inside."""
        host = f"http:\\\\127.0.0.1:{self.port}\\{label}"  # no slash: it must fit in a file name too
        return f"## big hostile{label} ![x]({host}-md.png) $x^2$ <img src={host}-tag.png> \u202eevil\u200bname"


@pytest.fixture(scope="module")
def watcher() -> Iterator[Watcher]:
    watcher = Watcher()
    thread = threading.Thread(target=watcher.server.serve_forever, daemon=True)
    thread.start()
    yield watcher
    watcher.server.shutdown()


def assert_drawn_as_text(tab, watcher: Watcher, label: str, whole: bool = True) -> None:
    """The page has settled: nothing asked the watcher, no heading or image carries ``label``, and (with
    ``whole``) the text shows as typed, less its invisible characters."""
    tab.wait_for_timeout(1500)  # an image would have been requested by now
    assert watcher.requests == [], watcher.requests
    marked = tab.locator(MARKUP_TAGS).filter(has_text=f"hostile{label}")
    assert marked.count() == 0, marked.all_inner_texts()
    assert tab.locator("img[src*='127.0.0.1']").count() == 0
    assert not whole or tab.get_by_text(f"## big hostile{label} ![x](http:", exact=False).count() > 0
    drawn = tab.get_by_test_id("stMarkdownContainer").all_inner_texts()  # all that Markdown drew
    hiding = [text for text in drawn if "\u202e" in text or ("\u200b" in text and "hostile" in text)]
    assert hiding == [], hiding


def upload(tab, name: str, data: bytes, kind: str = "application/zip") -> None:
    tab.locator("input[type=file]").set_input_files({"name": name, "mimeType": kind, "buffer": data})


def test_a_hostile_bundle_and_a_broken_one_are_drawn_as_text(page, watcher, good_bytes):  # noqa: F811
    def named(document: dict) -> None:
        document["info"].setdefault("corpus", {})["name"] = watcher.hostile("corpus")

    page.goto("/generate")
    page.get_by_text("T = 1.5").first.wait_for(timeout=FIRST_POEMS_MS)
    page.get_by_text("Load a model file (.zip)").click()
    upload(page, watcher.hostile("file") + ".zip", edit_json(good_bytes, named))
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Corpus: ## big hostilecorpus").wait_for()
    assert_drawn_as_text(page, watcher, "corpus")
    assert_drawn_as_text(page, watcher, "file")

    def broken(document: dict) -> None:
        document["format_version"] = watcher.hostile("version")

    upload(page, "broken.zip", edit_json(good_bytes, broken))
    page.get_by_test_id("stAlertContentError").get_by_text("saved in format").wait_for()
    assert_drawn_as_text(page, watcher, "version")


def test_a_hostile_seed_and_inside_text_are_drawn_as_text(page, watcher):  # noqa: F811
    page.goto("/generate")
    page.get_by_text("T = 1.5").first.wait_for(timeout=FIRST_POEMS_MS)
    seed = page.get_by_role("textbox", name="Seed text: the poem starts with this")
    seed.fill(watcher.hostile("seed") + " \u2603")  # a snowman the model never saw: its warning echoes the seed
    seed.press("Control+Enter")
    page.get_by_text("The model never saw").wait_for()
    assert_drawn_as_text(page, watcher, "seed")
    nav(page, "Inside the network").click()
    text = page.get_by_role("textbox", name="Text to read, one character at a time")
    text.fill("#" * 8 + "\n" + watcher.hostile("inside"))
    text.press("Control+Enter")
    page.get_by_text("Reading #").wait_for()  # the fifth character, a heading mark, drawn as itself
    assert_drawn_as_text(page, watcher, "inside", whole=False)  # this tab names one character of it


def test_a_hostile_corpus_file_name_is_drawn_as_text(page, watcher, small_text):  # noqa: F811
    page.goto("/train")
    page.get_by_text("distinct characters").first.wait_for()
    page.get_by_text("Upload a .txt file").click()
    name = watcher.hostile("upload") + ".txt"
    upload(page, name, small_text.encode(), "text/plain")
    page.get_by_text("distinct characters").first.wait_for()
    nav(page, "Generate").click()  # Streamlit forgets the upload; the page then names the file it kept
    page.get_by_text("T = 1.5").first.wait_for()
    nav(page, "Train").click()
    page.get_by_text("Using the file you uploaded earlier").wait_for()
    assert_drawn_as_text(page, watcher, "upload")

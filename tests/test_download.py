"""The classic-corpus downloader against a real HTTP server on 127.0.0.1 (see ``corpus_server.py``)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import BALLADS, SHARED_CORPORA
from lstm_poem.command_line import cli
from lstm_poem.text import download
from lstm_poem.text.download import CLASSICS, Classic, DownloadError, can_reach, download_classic, find_classic


def classic_at(url: str) -> Classic:
    return Classic("test", "Test Ballads", "Anon", "ballads", "for tests", url, "test.txt")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_success_strips_gutenberg_and_caches(corpus_server, tmp_path):
    seen: list[tuple[int, int | None]] = []
    corpus = download_classic(
        classic_at(f"{corpus_server}/gutenberg.txt"), directory=tmp_path, on_progress=lambda n, t: seen.append((n, t))
    )
    ballads = BALLADS.read_text(encoding="utf-8")
    assert corpus.text == ballads
    assert "Project Gutenberg header and licence text were removed." in corpus.notes
    assert seen and seen[-1][0] == seen[-1][1]  # progress reached the announced total
    assert leftovers(tmp_path) == ["test.txt"]
    assert (tmp_path / "test.txt").read_text(encoding="utf-8") == ballads


def test_cache_hit_needs_no_server(corpus_server, tmp_path):
    download_classic(classic_at(f"{corpus_server}/gutenberg.txt"), directory=tmp_path)
    calls: list[int] = []
    again = download_classic(
        classic_at("http://127.0.0.1:9/unreachable.txt"), directory=tmp_path, on_progress=lambda n, t: calls.append(n)
    )
    assert again.text == BALLADS.read_text(encoding="utf-8")
    assert calls == []


def test_damaged_cache_entry_is_fetched_again(corpus_server, tmp_path):
    (tmp_path / "test.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    corpus = download_classic(classic_at(f"{corpus_server}/gutenberg.txt"), directory=tmp_path)
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
def test_failures_have_clear_messages_and_leave_nothing(corpus_server, tmp_path, route, options, message):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=message):
        download_classic(classic_at(f"{corpus_server}/{route}"), directory=tmp_path, **options)
    assert time.monotonic() - started < 8  # gave up on its own, did not hang
    assert leftovers(tmp_path) == []


def test_offline_says_it_needs_the_internet(tmp_path):
    offline = classic_at("http://127.0.0.1:9/nothing-listens-here.txt")
    assert not can_reach(offline, timeout=0.5)
    with pytest.raises(DownloadError, match="needs the internet"):
        download_classic(offline, directory=tmp_path)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("classic", CLASSICS, ids=lambda c: c.name)
def test_mirror_serves_the_shared_corpora(corpus_server, tmp_path, monkeypatch, classic):
    if not (SHARED_CORPORA / classic.file_name).is_file():
        pytest.skip(f"{SHARED_CORPORA / classic.file_name} is not available on this machine")
    monkeypatch.setenv("LSTM_POEM_CORPUS_MIRROR", corpus_server)
    assert classic.source_url == f"{corpus_server}/{classic.file_name}"
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


def test_command_line_downloads_then_uses_the_cache(corpus_server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LSTM_POEM_CACHE_DIR", str(tmp_path))
    blake = Classic("blake", "Test", "Anon", "ballads", "for tests", f"{corpus_server}/gutenberg.txt", "blake.txt")
    monkeypatch.setattr(download, "CLASSICS", (blake,))
    assert cli.main(["corpora", "--download", "blake", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["from_cache"] is False and first["chars"] == len(BALLADS.read_text(encoding="utf-8"))
    assert cli.main(["corpora", "--download", "blake", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["from_cache"] is True
    assert cli.main(["corpora", "--download", "nonexistent"]) == 2
    assert "Choose one of" in capsys.readouterr().err

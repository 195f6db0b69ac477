import pytest

from conftest import shared_corpus
from lstm_poem import limits
from lstm_poem.text.corpus import (
    SAMPLE_DIR,
    CorpusError,
    catalog,
    clean_text,
    corpus_from_text,
    decode_bytes,
    load_corpus,
)

VERSE = "Shall the river keep its song,\nWhen the mill wheel is still?\n"


def test_utf8_with_and_without_bom_decode_the_same():
    plain = load_corpus(VERSE.encode("utf-8"))
    with_bom = load_corpus(b"\xef\xbb\xbf" + VERSE.encode("utf-8"))
    assert plain.text == with_bom.text == VERSE
    assert plain.encoding == "utf-8" and plain.notes == ()


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom(codec):
    data = VERSE.encode(codec)  # "utf-16" writes a BOM, the -le/-be variants do not
    corpus = load_corpus(data)
    assert corpus.text == VERSE
    assert "UTF-16" in corpus.notes[0]


def test_latin1_fallback_is_reported():
    corpus = load_corpus("Café au lait, déjà vu\n".encode("latin-1"))
    assert corpus.text == "Café au lait, déjà vu\n"
    assert corpus.encoding == "latin-1"
    assert "Latin-1" in corpus.notes[0]


def test_newlines_and_unicode_are_normalised():
    text = "one\r\ntwo\rthree\n\n\n" + "cafe\u0301\n"
    cleaned = clean_text(text)
    assert "\r" not in cleaned
    assert cleaned.startswith("one\ntwo\nthree\n")
    assert "caf\u00e9" in cleaned  # NFC composes e + combining acute


def test_gutenberg_boilerplate_is_stripped():
    text = (
        "The Project Gutenberg EBook of Verses\nLicense blah\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK VERSES ***\n\nProduced by Someone\n\n"
        + VERSE
        + "\nEnd of the Project Gutenberg EBook of Verses\nMore licence\n"
    )
    corpus = load_corpus(text.encode())
    assert corpus.text == VERSE
    assert any("Gutenberg" in note for note in corpus.notes)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "empty"),
        (b"   \n\t\n  ", "empty"),
        ("\u3000\n".encode(), "whitespace"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
        (b"PK\x03\x04" + b"\x00" * 50, "ZIP"),
        (b"%PDF-1.7\n" + bytes(range(256)), "PDF"),
        (b"words\x00and\x00nul\x00bytes here", "NUL"),
        (bytes(range(1, 32)) * 20, "control"),
    ],
)
def test_bad_input_gives_clear_error(data, fragment):
    with pytest.raises(CorpusError, match=fragment):
        load_corpus(data)


def test_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"la la la\n" * 200)
    with pytest.raises(CorpusError, match="limit"):
        load_corpus(big, max_bytes=1000)
    with pytest.raises(CorpusError, match="limit"):
        load_corpus(b"x" * (limits.MAX_CORPUS_BYTES + 1))


def test_missing_file():
    with pytest.raises(CorpusError, match="No such file"):
        load_corpus("/nonexistent/poems.txt")


def test_pasted_text_and_counts():
    corpus = corpus_from_text("Hello world\nhello again\n")
    assert (corpus.n_lines, corpus.n_words, corpus.n_chars) == (2, 4, 24)


def test_catalog_lists_at_least_four_sample_corpora_of_different_forms():
    entries = catalog()
    assert len(entries) >= 4
    assert len({entry.form for entry in entries}) == len(entries)
    assert {entry.path.name for entry in entries} == {path.name for path in SAMPLE_DIR.glob("*.txt")}
    for entry in entries:
        corpus = entry.load()
        assert entry.path.stat().st_size == entry.size >= 10_000, entry.name  # big enough to learn a shape
        assert corpus.notes == () and corpus.encoding == "utf-8"  # clean UTF-8, nothing to fix
        assert entry.title and entry.description and "CC0" in entry.license


def test_decode_bytes_prefers_utf8():
    assert decode_bytes("ünïcödé".encode()) == ("ünïcödé", "utf-8")


@pytest.mark.parametrize(
    "name",
    [
        "blake.txt",
        "frost_mountain_interval.txt",
        "frost_north_of_boston.txt",
        "shakespeare_sonnets.txt",
        "tinyshakespeare.txt",
    ],
)
def test_public_domain_corpora_load_cleanly(name):
    path = shared_corpus(name)
    corpus = load_corpus(path)
    assert corpus.encoding == "utf-8" and corpus.notes == ()
    assert corpus.text == path.read_text(encoding="utf-8")  # already clean: nothing changed

"""Odd and hostile input, through the engine and through the pages (see docs/robustness.md).

Each case either works, with a note where something was changed, or ends in a
message a student can act on. None may raise anything else, hang, or lose the
model the user is working with.
"""

from __future__ import annotations

import pytest
from app_helpers import button, open_page, paste_and_configure, texts
from bundle_edits import deeply_nested_json, huge_array_claim
from streamlit.testing.v1 import AppTest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem import limits
from lstm_poem.network.generate import Generator
from lstm_poem.text.corpus import CorpusError, load_corpus
from lstm_poem.training.train import train

ODD_BUT_USABLE = {
    "utf16_no_bom": ("The tide comes in, the tide goes out.\n" * 80).encode("utf-16-le"),
    "mixed_newlines": b"one line\r\nanother line\rand a third\n" * 100,
    "emoji_and_combining": ("e\u0301te\u0301 \U0001f30a\U0001f319 cafe\u0301 noe\u0308l\n" * 150).encode(),
    "right_to_left": (
        "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\n\u0645\u0631\u062d\u0628\u0627\n" * 150
    ).encode(),
    "one_huge_line": b"word " * 20_000,
    "single_character": b"a" * 3000,
}


@pytest.mark.parametrize("name", ODD_BUT_USABLE)
def test_odd_but_usable_text_trains_and_generates(name):
    corpus = load_corpus(ODD_BUT_USABLE[name], name=name)
    assert "\r" not in corpus.text and corpus.text == corpus.text.strip("\n") + "\n"
    if name == "emoji_and_combining":
        assert "\u0301" not in corpus.text and "\u00e9" in corpus.text  # composed (NFC): one letter, one token
    result = train(corpus, tiny_model_config(), tiny_train_config(epochs=1))
    samples = Generator(result.poem).generate(corpus.text[:12], [0.0, 1.0, 2.0, 10.0], length=30).samples
    assert [len(s.pieces) for s in samples] == [30] * 4
    assert all(0.0 < p <= 1.0 for s in samples for p in s.probs)


def test_a_word_level_corpus_of_one_distinct_word_still_trains():
    result = train(("la " * 10 + "\n") * 100, tiny_model_config(level="word"), tiny_train_config(epochs=1))
    assert result.poem.tokenizer.tokens == ["<unk>", "la", "\n"]
    assert set(Generator(result.poem).generate("la", [1.0], length=20).samples[0].text.split()) <= {"la"}


def test_fifty_megabytes_is_refused_before_decoding():
    with pytest.raises(CorpusError, match=f"limit is {limits.MAX_CORPUS_BYTES / 1e6:.1f} MB"):
        load_corpus(b"the sea the sea\n" * (50_000_000 // 16))


def test_a_100_kb_seed_is_cut_to_its_last_tokens(generator):
    result = generator.generate("the mill by the river " * 4600, [0.5], length=10)
    assert len(result.prime) == limits.MAX_PRIME_TOKENS and len(result.samples[0].pieces) == 10


# ----- through the pages -----


@pytest.mark.parametrize(
    ("name", "data", "shown"),
    [
        ("utf16.txt", ODD_BUT_USABLE["utf16_no_bom"], "read as UTF-16-LE"),
        ("accents.txt", "Noël à la fenêtre, café crème\n".encode("latin-1") * 200, "Latin-1"),
        ("rtl.txt", ODD_BUT_USABLE["right_to_left"], ""),
        ("emoji.txt", ODD_BUT_USABLE["emoji_and_combining"], ""),
    ],
)
def test_odd_uploads_are_read_and_described(name, data, shown):
    at = open_page("app_pages/train.py")
    at.radio(key="corpus_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="corpus_upload").upload(name, data, "text/plain").run()
    assert not at.exception and not at.error
    assert any("distinct characters" in text for text in texts(at.markdown))
    if shown:
        assert any(shown in text for text in texts(at.info))
    assert not button(at, "Train").disabled


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "PDF"),
        (b"PK\x03\x04" + bytes(300), "ZIP"),
        (b"  \n\n\t  \n", "The text is empty"),
        ("\u3000\n\u2003".encode(), "only whitespace"),
        (b"verse\x00with\x00nul\x00bytes " * 10, "NUL"),
    ],
)
def test_unusable_uploads_say_why_and_block_training(data, message):
    at = open_page("app_pages/train.py")
    at.radio(key="corpus_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="corpus_upload").upload("poems.txt", data, "text/plain").run()
    assert not at.exception
    assert any(message in text for text in texts(at.error))
    assert button(at, "Train").disabled


def test_absurd_custom_settings_are_refused_before_training(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_units=1024, setting_embedding=512)
    at.number_input(key="setting_layers").set_value(3).run()
    assert any("weights; the limit is" in text for text in texts(at.error))
    assert button(at, "Train").disabled


def test_a_bad_bundle_does_not_lose_the_current_model(trained):
    from lstm_poem.files.bundle import bundle_bytes

    at = open_page("app_pages/generate.py")
    at.file_uploader(key="bundle_upload").upload("mine.zip", bundle_bytes(trained.poem), "application/zip").run()
    chosen = at.session_state["current_model"]
    at.file_uploader(key="bundle_upload").upload("evil.zip", b"PK\x05\x06" + bytes(18), "application/zip").run()
    assert not at.exception
    assert any("evil.zip" in text for text in texts(at.error))
    assert at.session_state["current_model"] == chosen and len(at.html) == 3  # still writing with it


@pytest.mark.parametrize(("page", "drawn"), [("app_pages/generate.py", "html"), ("app_pages/inside.py", "latex")])
def test_hostile_bundles_are_refused_on_the_pages_and_the_model_is_kept(good_bytes, page, drawn):
    """A weight header claiming 37 GiB and a 100,000-deep bundle.json, uploaded over a model in use."""
    at = open_page(page)
    at.file_uploader(key="bundle_upload").upload("mine.zip", good_bytes, "application/zip").run()
    chosen = at.session_state["current_model"]
    shown = len(at.get(drawn))
    assert chosen.startswith("upload-") and shown > 0
    hostile = {
        "huge.zip": (huge_array_claim(good_bytes), "has shape (100000, 100000), the model needs"),
        "deep.zip": (deeply_nested_json(good_bytes), "nested more than 100 levels deep"),
    }
    for name, (data, fragment) in hostile.items():
        at.file_uploader(key="bundle_upload").upload(name, data, "application/zip").run()
        assert not at.exception, at.exception
        (error,) = texts(at.error)
        assert error.startswith(f"{name}: ") and fragment in error
        assert at.session_state["current_model"] == chosen and len(at.get(drawn)) == shown  # still working with it


@pytest.mark.parametrize("seed", ["", "\U0001f30a\U0001f30a\u00a7", "x" * 5000])
def test_odd_seeds_on_the_generate_page(seed):
    at = open_page("app_pages/generate.py")
    at.text_area(key="seed_text").set_value(seed).run()
    assert not at.exception and not at.error
    if seed.startswith("\U0001f30a"):
        assert any("None of the seed" in text for text in texts(at.warning))
    else:
        assert len(at.html) == 3


def test_extreme_temperatures_on_the_generate_page():
    at = open_page("app_pages/generate.py")
    at.slider(key="temperature_0").set_value(0.0)
    at.slider(key="temperature_2").set_value(2.0).run()
    assert not at.exception
    assert [text for text in texts(at.markdown) if text.startswith("##### T =")][::2] == ["##### T = 0", "##### T = 2"]


def test_a_double_click_on_train_starts_one_training(small_text):
    """Two reruns that both carry the click (the second sent before the button was drawn disabled)."""

    def two_clicks(text: str) -> None:
        from dataclasses import replace

        from lstm_poem.text.corpus import corpus_from_text
        from lstm_poem.training.presets import PRESETS
        from ui import session_runs

        preset = PRESETS["Quick demo"]
        corpus = corpus_from_text(text)
        training = replace(preset.training, epochs=2)
        first = session_runs.start_run(corpus, preset.model, training)
        second = session_runs.start_run(corpus, preset.model, training)
        assert second is first

    at = AppTest.from_function(two_clicks, args=(small_text,), default_timeout=60).run()
    assert not at.exception, at.exception
    (run,) = at.session_state["runs"]
    assert run.job.join(timeout=60)

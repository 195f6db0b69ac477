"""Generate's per-column model choice: each column its own model and temperature, the random numbers still shared."""

from __future__ import annotations

import html

from app_helpers import open_page, texts

from lstm_poem.files.pretrained import pretrained_catalog

SEED_TEXT = "The lamplight falls across the empty street,\n"


def poems(at) -> list[str]:
    return [element.proto.body for element in at.get("html")]


def compare_two_models(at, other: str, temperature: float = 0.8):
    at.radio(key="n_columns").set_value(2).run()
    at.toggle(key="compare_models").set_value(True).run()
    at.slider(key="temperature_0").set_value(temperature)
    at.slider(key="temperature_1").set_value(temperature)
    at.selectbox(key="column_model_1").set_value(other).run()
    assert not at.exception, at.exception


def test_two_columns_with_different_models_write_each_models_own_poem():
    from lstm_poem.network.generate import Generator
    from ui import session_models

    shipped = pretrained_catalog()
    page_model, other = shipped[0], next(m for m in shipped if m.name == "sample_verse")
    at = open_page("app_pages/generate.py", kept={"seed_text": SEED_TEXT})
    alone = poems(at)
    assert not [box for box in at.selectbox if box.label.startswith("Model, column")]  # off by default
    compare_two_models(at, session_models.PRETRAINED_PREFIX + other.name)
    first, second = poems(at)
    assert first != second
    headers = texts(at.markdown)
    assert "##### T = 0.8" in headers and f"##### T = 0.8 · {other.title}" in headers
    # Each column is exactly what its model writes on its own with the same seed and temperature.
    for model, poem in ((page_model, first), (other, second)):
        sample = Generator(model.load()).generate(SEED_TEXT, [0.8], length=400, seed=42).samples[0]
        assert html.escape(sample.text) in poem
    assert alone != [first, second]


def test_turning_the_model_boxes_off_writes_every_column_with_the_page_model():
    from ui import session_models

    other = next(m for m in pretrained_catalog() if m.name == "sample_verse")
    at = open_page("app_pages/generate.py", kept={"seed_text": SEED_TEXT})
    compare_two_models(at, session_models.PRETRAINED_PREFIX + other.name)
    at.toggle(key="compare_models").set_value(False).run()
    assert not any(" · " in text for text in texts(at.markdown) if text.startswith("##### T ="))
    first, second = poems(at)
    assert first == second  # same model, same temperature, same random numbers


def test_a_word_model_in_a_character_page_gets_about_the_same_length():
    from types import SimpleNamespace

    from ui.column_models import tokens_for

    def entry(level: str):
        return SimpleNamespace(config=SimpleNamespace(level=level))

    assert tokens_for(entry("char"), 400, "char") == 400
    assert tokens_for(entry("word"), 400, "char") == 80
    assert tokens_for(entry("char"), 80, "word") == 400

"""The "what helps?" table: scoring on a shared held-out text, its catalog, its chart and its page."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from app_helpers import charts, open_page, texts

from lstm_poem.measuring.scoring import reference_words, score, split_at_stanza
from lstm_poem.teaching.improvements import IMPROVEMENTS_DIR, ROOT, load_table

CATALOG_ROWS = {
    "notebook", "seq2seq", "more_data", "much_more_data", "longer", "gru", "stacked",
    "word", "word_more_data", "finetuned", "transformer", "transformer_finetuned",
}  # fmt: skip


def test_split_at_stanza_holds_out_about_a_tenth_from_a_stanza_break():
    text = "".join(f"line {i} of stanza\nanother line\n\n" for i in range(50))
    head, tail = split_at_stanza(text)
    assert tail.startswith("line ") and head.endswith("another line\n")
    assert 0.05 < len(tail) / len(text) < 0.15
    assert head.strip() + "\n\n" + tail.strip() == text.strip()
    with pytest.raises(ValueError):
        split_at_stanza("one long stanza\nwithout a break\n")


def test_reference_words_are_the_sample_corpora_and_the_verse_word_models_words_in_lower_case(tmp_path):
    sample_only = reference_words(verse_words=tmp_path / "absent.zip")
    assert {"ferry", "the", "lantern"} <= sample_only
    assert all(word == word.lower() for word in sample_only)
    vocabulary = reference_words()  # with the shipped verse word model's 6,000 words
    assert sample_only < vocabulary and {"hoary", "wherein"} <= vocabulary - sample_only
    assert "unk" not in vocabulary and "zuyder" not in vocabulary  # not its placeholder, not a rare word
    assert all(word == word.lower() for word in vocabulary)


def test_score_measures_held_out_bits_and_poems_at_fixed_seeds(trained, small_text):
    from lstm_poem.measuring.evaluate import evaluate

    held_out = small_text[-600:]
    vocabulary = reference_words()
    first = score(trained.poem, held_out, "The miller ", 0.8, [1, 2], vocabulary, chars=60)
    assert first.bits_per_char == pytest.approx(evaluate(trained.poem, held_out).bits_per_char)
    assert 0.0 <= first.real_word_share <= 1.0 and 0.0 <= first.repetition <= 1.0
    assert len(first.poem) == 60
    again = score(trained.poem, held_out, "The miller ", 0.8, [1, 2], vocabulary, chars=60)
    assert again == first  # same seeds, same poems, same figures
    other = score(trained.poem, held_out, "The miller ", 0.8, [3, 4], vocabulary, chars=60)
    assert other.poem != first.poem


def test_a_word_model_pays_for_unknown_words_by_spelling_them(small_text):
    import math

    from conftest import tiny_model_config, tiny_train_config
    from lstm_poem.measuring.evaluate import evaluate
    from lstm_poem.measuring.scoring import held_out_loss
    from lstm_poem.training.train import train

    poem = train(small_text, tiny_model_config(level="word", max_words=300), tiny_train_config(epochs=1)).poem
    known = small_text[:400]
    plain = held_out_loss(poem, known)
    assert plain.unknown_words == 0
    cheap = evaluate(poem, known)
    assert plain.nats_per_token == pytest.approx(cheap.loss)
    with_unknown = known.replace("the ", "zyxwvut ")
    paid = held_out_loss(poem, with_unknown)
    assert paid.unknown_words > 0
    flattering = evaluate(poem, with_unknown)
    # The spelling charge comes on top of what the "unknown" prediction alone would cost.
    as_trained = flattering.loss * flattering.tokens / len(with_unknown.replace("  ", " ")) / math.log(2)
    assert paid.bits_per_char > as_trained


def write_catalog(directory, rows, bundle) -> None:
    made = [
        {
            "name": name,
            "title": title,
            "why": f"because {name}",
            "file": str(bundle),
            "command": f"python -m lstm_poem train small.txt --out {name}.zip",
            "level": "char",
            "parameters": 1234,
            "bits_per_char": bits,
            "nats_per_token": bits * 0.69,
            "real_word_share": 0.5,
            "repetition": 0.1,
            "train_seconds": 12.0,
            "poem": "recorded",
        }
        for name, title, bits in rows
    ]
    catalog = {
        "held_out": "a tiny test text",
        "held_out_chars": 600,
        "prime": "The miller ",
        "temperature": 0.8,
        "seeds": [1, 2, 3],
        "machine": "a test",
        "made_on": "2026-11-30",
        "rows": made,
    }
    (directory / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")


def test_load_table_reads_rows_in_order_and_leaves_out_missing_bundles(tmp_path):
    bundle = tmp_path / "tiny.zip"
    bundle.write_bytes(b"stand-in")
    write_catalog(tmp_path, [("a", "Row A", 3.0), ("b", "Row B", 2.5)], bundle)
    table = load_table(tmp_path)
    assert [row.name for row in table.rows] == ["a", "b"]
    assert table.rows[1].bits_per_char == 2.5 and table.seeds == [1, 2, 3]
    bundle.unlink()
    assert load_table(tmp_path).rows == []
    assert load_table(tmp_path / "nowhere") is None


def test_the_shipped_catalog_has_every_row_scored_on_one_held_out_text():
    table = load_table(IMPROVEMENTS_DIR)
    assert table is not None, "run scripts/improvements.py"
    assert {row.name for row in table.rows} == CATALOG_ROWS
    assert len({row.level for row in table.rows}) == 2  # character and word models share the axis
    for row in table.rows:
        assert row.path.is_file() and row.path.stat().st_size < 4_000_000, row.path
        assert 0.5 < row.bits_per_char < 6 and row.train_seconds > 0 and row.poem
    added = sum(path.stat().st_size for path in (ROOT / "improvements").glob("*.zip"))
    assert added < 12_000_000  # most of it is the two fine-tuned bases (rows 7 and 8b), float16


def test_improvements_chart_has_one_bar_per_row_in_table_order():
    from lstm_poem.teaching.improvement_charts import improvements_chart

    spec = improvements_chart([("Row A", 3.0, "char"), ("Row B", 2.5, "word")]).to_dict()
    values = next(iter(spec["datasets"].values())) if "datasets" in spec else spec["data"]["values"]
    assert [v["row"] for v in values] == ["Row A", "Row B"]
    assert spec["encoding"]["y"]["sort"] == ["Row A", "Row B"]


@pytest.fixture
def tiny_table(tmp_path, trained, monkeypatch):
    from lstm_poem.files.bundle import save_bundle
    from lstm_poem.teaching import improvements

    bundle = save_bundle(trained.poem, tmp_path / "tiny.zip")
    write_catalog(tmp_path, [("a", "Row A", 3.0), ("b", "Row B", 2.5)], bundle)
    monkeypatch.setattr(improvements, "IMPROVEMENTS_DIR", tmp_path)
    return tmp_path


def poems(at) -> list[str]:
    return [element.proto.body for element in at.get("html")]


def test_the_page_shows_the_table_the_chart_and_each_rows_poem(tiny_table):
    at = open_page("app_pages/improvements.py")
    assert "meaningful" in at.title[0].value
    frame = at.dataframe[0].value
    assert list(frame["model"]) == ["Row A", "Row B"] and list(frame["bits per character"]) == [3.0, 2.5]
    assert any(spec.get("description", "").endswith("Row A: 3.00; Row B: 2.50") for spec in charts(at))
    written = poems(at)
    assert len(written) == 2 and all("The miller " in poem for poem in written)
    assert written[0] == written[1]  # both rows use the same model here: same seed, same poem
    assert any("because a" in text for text in texts(at.caption))
    at.text_input[0].set_value("A lantern ")
    at.number_input[0].set_value(7)
    at.button[0].click().run()
    assert not at.exception
    rewritten = poems(at)
    assert all("A lantern " in poem for poem in rewritten) and rewritten != written


def test_the_page_without_a_catalog_says_how_to_make_one(tmp_path, monkeypatch):
    from lstm_poem.teaching import improvements

    monkeypatch.setattr(improvements, "IMPROVEMENTS_DIR", tmp_path)
    at = open_page("app_pages/improvements.py")
    assert any("scripts/improvements.py" in text for text in texts(at.info))


def test_an_empty_seed_line_asks_for_one(tiny_table):
    at = open_page("app_pages/improvements.py")
    at.text_input[0].set_value("   ")
    at.button[0].click().run()
    assert any("seed line" in text for text in texts(at.warning))
    assert not poems(at)


def test_a_finished_word_run_is_compared_with_its_unknown_words_paid_for(small_text, trained):
    from conftest import tiny_model_config, tiny_train_config
    from lstm_poem.measuring.scoring import held_out_loss, run_bits_per_char
    from lstm_poem.text.tokenizer import spaced_words, word_tokens
    from lstm_poem.training.train import train

    assert run_bits_per_char(trained.poem, small_text, 32, 0.1, reported=1.234) == 1.234  # characters: as trained
    config = tiny_train_config(epochs=1, seq_len=16)
    result = train(small_text, tiny_model_config(level="word", max_words=300), config)
    fair = run_bits_per_char(result.poem, small_text, 16, config.val_fraction, result.val_bits_per_char)
    tokens = word_tokens(small_text)
    tail = "".join(spaced_words(tokens[len(tokens) - max(17, round(len(tokens) * 0.1)) :]))
    assert fair == pytest.approx(held_out_loss(result.poem, tail).bits_per_char)
    assert held_out_loss(result.poem, tail).unknown_words > 0 and fair > result.val_bits_per_char


def test_the_page_says_who_wins_between_each_transformer_row_and_its_lstm_twin():
    from lstm_poem.teaching.improvements import transformer_verdict

    table = load_table(IMPROVEMENTS_DIR)
    by_name = {row.name: row for row in table.rows}
    said = transformer_verdict(table)
    assert len(said) == 2
    for sentence, (transformer, lstm) in zip(
        said, [("transformer", "seq2seq"), ("transformer_finetuned", "finetuned")]
    ):
        lstm_wins = by_name[transformer].bits_per_char > by_name[lstm].bits_per_char
        assert ("the LSTM wins" if lstm_wins else "the Transformer wins") in sentence
        assert (
            f"{by_name[transformer].bits_per_char:.2f}" in sentence and f"{by_name[lstm].bits_per_char:.2f}" in sentence
        )
    one_sided = replace(table, rows=[row for row in table.rows if row.name != "finetuned"])
    assert len(transformer_verdict(one_sided)) == 1  # a pair with a missing row says nothing

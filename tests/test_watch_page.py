"""The Watch-it-write page and the start page's lesson, driven with AppTest from the entry point."""

import html
import re
import time

from app_helpers import button, layer_descriptions, open_page, texts

from lstm_poem.teaching.stepper import loop_length
from ui.sampling_controls import DEFAULT_SEED, DEFAULT_TEMPERATURES

WATCH = "app_pages/watch.py"


def columns_text(at) -> list[str]:
    """The text each column has written after the seed (the seed is the first, grey, span)."""
    bodies = [element.proto.body for element in at.get("html")]
    return [html.unescape(re.sub(r"<[^>]+>", "", body.split("</span>", 1)[1])) for body in bodies]


def step_captions(at) -> list[str]:
    return [text for text in texts(at.caption) if " fell in " in text or text.startswith("You chose")]


def charts_described(at) -> list[str]:
    import json

    return [json.loads(chart.proto.spec).get("description") for chart in at.get("vega_lite_chart")]


def test_one_step_then_ten_show_the_odds_the_draw_and_the_pick():
    at = open_page(WATCH)
    assert any("Press **One step**" in text for text in texts(at.info))
    button(at, "One step").click().run()
    assert not at.exception
    assert any(text == "**Step 1: where the random number fell**" for text in texts(at.markdown))
    captions = step_captions(at)
    assert len(captions) == 3 and len({re.search(r"u = ([\d.]+)", c).group(1) for c in captions}) == 1  # shared
    assert charts_described(at) == ["draw", "step odds", "step odds", "step odds"]
    assert all(len(text) == 1 for text in columns_text(at))  # one character each
    button(at, "Ten steps").click().run()
    assert any(text == "**Step 11: where the random number fell**" for text in texts(at.markdown))
    assert all(len(text) >= 11 for text in columns_text(at))


def test_twenty_steps_write_what_the_generate_page_writes_at_length_twenty():
    from lstm_poem.files.pretrained import pretrained_catalog
    from ui import session_models

    at = open_page(WATCH)
    button(at, "Ten steps").click().run()
    button(at, "Ten steps").click().run()
    entry = session_models.pretrained_models()["pretrained-" + pretrained_catalog()[0].name]
    expected = entry.generator().generate(DEFAULT_SEED, DEFAULT_TEMPERATURES[:3], length=20, seed=42).samples
    assert columns_text(at) == [sample.text for sample in expected]


def test_play_steps_on_every_run_until_paused():
    at = open_page(WATCH)
    button(at, "Play").click().run()
    assert not at.exception and at.session_state["stepper_playing"]
    first = at.session_state["stepper"][1].steps
    assert first >= 1
    at.run()  # what the fragment's timer does while playing
    assert at.session_state["stepper"][1].steps == first + 1
    assert button(at, "One step").disabled
    button(at, "Pause").click().run()
    paused = at.session_state["stepper"][1].steps
    at.run()
    assert not at.session_state["stepper_playing"] and at.session_state["stepper"][1].steps == paused


def test_a_hand_picked_character_is_written_with_its_probability_and_an_unknown_one_is_refused():
    at = open_page(WATCH)
    button(at, "One step").click().run()
    at.text_input(key="hand_pick").set_value("q")
    button(at, "Write it").click().run()
    captions = step_captions(at)
    assert len(captions) == 3 and all(c.startswith("You chose **q**") for c in captions)
    assert [" at T = 1," in c or "for the model itself (T = 1)" in c for c in captions] == [True, False, True]
    assert all(text.endswith("q") for text in columns_text(at))
    assert any("chosen by hand" in text for text in texts(at.caption))
    at.text_input(key="hand_pick").set_value("§")
    button(at, "Write it").click().run()
    assert any("never saw '§'" in text for text in texts(at.warning))
    assert all(text.endswith("q") for text in columns_text(at))  # nothing lost


def test_changing_a_temperature_starts_again_and_greedy_loops_are_pointed_out():
    at = open_page(WATCH, n_columns=1, temperature_0=0.0)
    for _ in range(30):
        button(at, "Ten steps").click().run()
        if any("Going round in a loop" in text for text in texts(at.caption)):
            break
    written = columns_text(at)[0]
    assert loop_length(written) > 0, written
    at.slider(key="temperature_0").set_value(0.5).run()
    assert any("Press **One step**" in text for text in texts(at.info))


def test_a_seed_the_model_cannot_read_is_a_clear_message():
    at = open_page(WATCH, seed_text="§§§")
    assert any("None of the seed" in text for text in texts(at.warning))


def test_the_draw_chart_has_a_row_per_column_and_the_shared_draw_in_its_title():
    import json

    at = open_page(WATCH)
    button(at, "One step").click().run()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["description"] == "draw" and len(layer_descriptions(spec)) == 4
    assert "one random number for every column, u = " in json.dumps(spec)


def test_until_the_model_is_awake_the_start_page_draws_its_lesson_and_says_the_poems_are_coming(monkeypatch):
    from ui import example_poems

    monkeypatch.setattr(example_poems, "warmed_up", lambda: False)
    at = open_page()
    assert not at.exception and not at.get("html")
    assert any("waking up to write three poems" in text for text in texts(at.info))
    assert "Open Train" in {link.proto.label for link in at.get("page_link")}


def test_the_start_page_shows_live_poems_and_links_every_lesson_step():
    from ui import example_poems

    example_poems.warm_up()  # as the server's first page does; the poems are written on another thread
    deadline = time.monotonic() + 120
    while not example_poems.warmed_up():
        assert time.monotonic() < deadline, "the warm-up never finished"
        time.sleep(0.1)
    at = open_page()
    poems = [element.proto.body for element in at.get("html")]
    assert len(poems) == 3 and len(set(poems)) == 3
    assert [text for text in texts(at.markdown) if text.startswith("##### T = ")] == [
        "##### T = 0.5 · plays safe",
        "##### T = 1 · as the model learned it",
        "##### T = 1.5 · takes risks",
    ]
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert links == {
        "Carry on in Generate": "generate",
        "Open Generate": "generate",
        "Open Watch it write": "watch",
        "Open Guess the next letter": "guess",
        "Open Train": "train",
        "Open Inside the network": "inside",
    }
    assert [text for text in texts(at.caption) if text.startswith("Minutes")][-1] == "Minutes 43 to 45"
    for page in set(links.values()):
        opened = open_page(f"app_pages/{page}.py")
        assert not opened.exception
    button(at, "Three more").click().run()
    assert [element.proto.body for element in at.get("html")] != poems


def test_the_poem_stops_at_the_page_s_length_with_a_message(monkeypatch):
    from ui import stepper_view

    monkeypatch.setattr(stepper_view, "MOST_STEPS", 12)
    at = open_page(WATCH)
    button(at, "Ten steps").click().run()
    button(at, "Ten steps").click().run()
    assert at.session_state["stepper"][1].steps == 12
    assert all(button(at, label).disabled for label in ["One step", "Ten steps", "Play", "Write it"])
    assert any("writes up to 12 characters" in text for text in texts(at.caption))
    button(at, "Start again").click().run()
    assert not button(at, "One step").disabled and any("Press **One step**" in t for t in texts(at.info))

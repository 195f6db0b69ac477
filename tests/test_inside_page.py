"""The Inside page, driven with AppTest: a pretrained LSTM and a freshly trained GRU."""

from __future__ import annotations

import json

from app_helpers import button, finished, open_page, paste_and_configure, texts, wait_for

INSIDE = "app_pages/inside.py"


def chart_descriptions(at) -> list[str]:
    """What each chart is: its description up to a colon (the odds chart goes on in words for a screen reader)."""
    return [json.loads(chart.proto.spec).get("description", "").split(":")[0] for chart in at.get("vega_lite_chart")]


def test_all_four_parts_work_on_the_pretrained_lstm():
    at = open_page(INSIDE)
    assert not at.exception, at.exception
    assert len(at.get("latex")) == 6  # forget, input, candidate, cell update, output, hidden
    described = chart_descriptions(at)
    assert {"one step", "activation heatmap", "next token odds"} <= set(described)
    assert at.selectbox(key="inside_quantity").value == "cell state"

    # Find interesting units: the first has a strong correlation, and picking another recolours the text.
    unit = at.radio(key="inside_unit")
    assert "r = " in unit.options[0] and abs(float(unit.options[0].split("r = ")[1].rstrip(")"))) > 0.5
    coloured = [h.proto.body for h in at.html]
    unit.set_value(1).run()
    assert [h.proto.body for h in at.html] != coloured

    # Sorting and gate choice redraw the heat map without errors.
    at.selectbox(key="inside_quantity").set_value("forget gate").run()
    at.selectbox(key="inside_order").set_value("follows position in the line").run()
    assert not at.exception, at.exception

    # The temperature slider adds a second set of bars with its own entropy.
    odds = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if "next token" in c.proto.spec]
    at.slider(key="inside_temperature").set_value(0.3).run()
    after = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if "next token" in c.proto.spec]
    temperatures = after[0]["encoding"]["color"]["scale"]["domain"]  # "T = 1 (0.92 bits)", "T = 0.3 (…)"
    assert len(temperatures) == 2 and temperatures[1].startswith("T = 0.3 (") and after != odds
    assert any("Train a model in this session" in text for text in texts(at.info))  # watch it learn: no runs yet


def test_the_shipped_frost_transformer_shows_every_head_of_its_four_blocks():
    at = open_page(INSIDE)
    at.selectbox[0].set_value("pretrained-transformer_frost").run()
    assert not at.exception, at.exception
    assert len(at.get("latex")) == 4  # the attention equations, not an LSTM's six gates
    assert {"attention map", "next token odds"} <= set(chart_descriptions(at))
    habits = at.dataframe[0].value
    assert len(habits) == 4 * 4 and set(habits["block"]) == {1, 2, 3, 4}


def test_a_freshly_trained_gru_shows_its_gates_and_how_it_learned(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_epochs=3)
    at.selectbox(key="setting_cell").set_value("gru").run()
    button(at, "Train").click().run()
    wait_for(at, finished)
    at.switch_page(INSIDE).run()
    assert not at.exception, at.exception
    assert at.selectbox[0].value == "run-1"  # the model just trained
    assert len(at.get("latex")) == 4  # update, reset, candidate, hidden
    assert at.selectbox(key="inside_quantity").options == ["update gate", "reset gate", "candidate", "hidden state"]
    assert "learning timeline" in chart_descriptions(at)
    assert len(at.metric) == 3 and at.metric[0].label == "Epoch 1"  # one entry per epoch
    assert all(code.value.strip() for code in at.code)  # with the sample written after it


def test_text_the_model_cannot_read_says_so():
    at = open_page(INSIDE)
    at.text_area(key="inside_text").set_value("🌊🌊🌊").run()
    assert not at.exception
    assert any("vocabulary" in text for text in texts(at.warning))


def test_a_transformer_trained_on_the_train_page_shows_where_it_looks(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(
        at, small_text, setting_epochs=2, setting_layers=2, setting_heads=2, setting_context=32, setting_warmup_steps=10
    )
    at.selectbox(key="setting_cell").set_value("transformer").run()
    at.selectbox(key="setting_learning_rate").set_value(0.003).run()
    button(at, "Train").click().run()
    wait_for(at, finished)
    at.switch_page(INSIDE).run()
    assert not at.exception, at.exception
    assert at.selectbox[0].value == "run-1"
    assert len(at.get("latex")) == 4  # queries/keys/values, attention, what it reads, the block
    assert {"attention map", "next token odds"} <= set(chart_descriptions(at))
    habits = at.dataframe[0].value
    assert len(habits) == 2 * 2 and set(habits["block"]) == {1, 2}  # every head of both blocks (tiny: 2 x 2)
    shaded = at.html[0].proto.body
    at.slider(key="attention_position").set_value(5).run()
    at.radio(key="attention_head").set_value(1).run()
    assert not at.exception, at.exception
    assert at.html[0].proto.body != shaded  # another reading position and head: other shading

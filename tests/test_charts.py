"""Chart specs: layers, fields and data of the app's Altair charts (no TensorFlow needed)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from lstm_poem.network.generate import NextTokenOdds
from lstm_poem.teaching import chart_style, confidence, improvement_charts, loss_charts, odds_charts, run_charts
from lstm_poem.training.records import BatchRecord, EpochRecord


def epoch(n: int, loss: float, val_loss: float, best_epoch: int, best_val_loss: float) -> EpochRecord:
    return EpochRecord(
        epoch=n,
        loss=loss,
        val_loss=val_loss,
        best_val_loss=best_val_loss,
        best_epoch=best_epoch,
        epochs_without_improvement=n - best_epoch,
        patience=2,
        learning_rate=0.01,
        elapsed=float(n),
    )


# Held-out loss improves until epoch 2, then stalls: early stopping with patience 2 ends at epoch 4.
HISTORY = [
    epoch(1, 2.5, 2.4, 1, 2.4),
    epoch(2, 2.0, 1.9, 2, 1.9),
    epoch(3, 1.8, 1.95, 2, 1.9),
    epoch(4, 1.7, 2.0, 2, 1.9),
]
BATCHES = [BatchRecord(epoch=2, batch=b, batches=4, loss=2.1 - 0.05 * b, elapsed=1.0 + b) for b in range(1, 5)]


def rows(spec: dict, layer: dict) -> list[dict]:
    """The data rows of one layer, whether inlined in the layer or moved to the top-level datasets."""
    data = layer["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def layer_named(spec: dict, description: str) -> dict:
    (layer,) = [layer for layer in spec["layer"] if layer.get("description") == description]
    return layer


def encodings(layer: dict) -> list[dict]:
    """The encodings of a layer and of any layers nested inside it."""
    return [layer["encoding"]] if "encoding" in layer else [e for sub in layer["layer"] for e in encodings(sub)]


def descriptions(spec: dict) -> list[str]:
    return [layer["description"] for layer in spec["layer"]]


def test_loss_chart_layers_and_fields():
    spec = loss_charts.loss_chart(HISTORY, BATCHES, unit="bits per word").to_dict()
    assert descriptions(spec) == ["batch loss", "epoch loss", "best epoch"]
    assert spec["width"] == "container" and spec["height"] == chart_style.HEIGHT
    enc = layer_named(spec, "epoch loss")["encoding"]
    assert enc["x"]["field"] == "epoch"
    assert enc["y"]["field"] == "loss"
    assert enc["y"]["title"] == "loss (bits per word)"
    assert enc["y"]["scale"]["zero"] is False
    assert enc["color"]["field"] == "series"
    assert enc["color"]["scale"]["domain"] == ["training", "held-out"]
    assert {t["field"] for t in enc["tooltip"]} >= {"epoch", "loss"}


def test_loss_chart_epoch_rows_are_long_format():
    spec = loss_charts.loss_chart(HISTORY).to_dict()
    data = rows(spec, layer_named(spec, "epoch loss"))
    assert len(data) == 2 * len(HISTORY)
    assert {"epoch": 3, "series": "held-out", "loss": 1.95} in data
    assert {"epoch": 3, "series": "training", "loss": 1.8} in data


def test_batches_sit_between_integer_epochs():
    spec = loss_charts.loss_chart(HISTORY, BATCHES).to_dict()
    layer = layer_named(spec, "batch loss")
    assert layer["encoding"]["x"]["field"] == "epoch"
    assert [row["epoch"] for row in rows(spec, layer)] == [1.25, 1.5, 1.75, 2.0]
    assert layer["mark"]["opacity"] < 1


def test_many_batches_are_averaged_into_a_bounded_number_of_points():
    many = [
        BatchRecord(epoch=e, batch=b, batches=100, loss=b % 2, elapsed=0) for e in range(1, 5) for b in range(1, 101)
    ]
    spec = loss_charts.loss_chart([], many).to_dict()
    points = rows(spec, layer_named(spec, "batch loss"))
    assert len(points) == loss_charts.MAX_BATCH_POINTS_DRAWN
    assert points[0]["epoch"] == pytest.approx(0.015) and points[-1]["epoch"] == pytest.approx(3.995)
    assert all(point["loss"] == pytest.approx(0.5) for point in points)  # each point averages an odd and an even batch


def test_batch_layer_is_kept_empty_without_batches():
    spec = loss_charts.loss_chart(HISTORY).to_dict()
    assert rows(spec, layer_named(spec, "batch loss")) == []


def test_best_epoch_layer_marks_the_last_records_best():
    spec = loss_charts.loss_chart(HISTORY).to_dict()
    layer = layer_named(spec, "best epoch")
    (best,) = rows(spec, layer)
    assert best["epoch"] == 2 and best["loss"] == pytest.approx(1.9)
    assert best["label"] == "best: epoch 2 (1.900)"
    assert {"rule", "text"} <= {sub["mark"]["type"] for sub in layer["layer"]}
    assert all(e["x"]["field"] == "epoch" for e in encodings(layer))


def test_early_stop_layer_only_when_stopped_early():
    spec = loss_charts.loss_chart(HISTORY, stopped_early=True).to_dict()
    assert descriptions(spec) == ["batch loss", "epoch loss", "best epoch", "early stop"]
    layer = layer_named(spec, "early stop")
    (stop,) = rows(spec, layer)
    assert stop["epoch"] == 4
    assert stop["label"] == "stopped at epoch 4, restored epoch 2"
    assert "early stop" not in descriptions(loss_charts.loss_chart(HISTORY).to_dict())


@pytest.mark.parametrize("stopped_early", [False, True])
def test_empty_loss_chart_renders(stopped_early):
    spec = loss_charts.loss_chart([], stopped_early=stopped_early).to_dict()
    assert all(rows(spec, layer) == [] for layer in spec["layer"])
    json.dumps(spec, allow_nan=False)


def test_diverged_losses_become_null():
    history = [epoch(1, float("nan"), float("inf"), 1, float("inf"))]
    spec = loss_charts.loss_chart(history).to_dict()
    assert [row["loss"] for row in rows(spec, layer_named(spec, "epoch loss"))] == [None, None]
    assert rows(spec, layer_named(spec, "best epoch")) == []
    json.dumps(spec, allow_nan=False)  # Streamlit sends the spec as strict JSON


def test_runs_chart_has_a_line_and_a_best_point_per_run():
    other = [epoch(1, 2.2, 2.1, 1, 2.1), epoch(2, 1.6, 1.5, 2, 1.5)]
    labels = ["Run 1 · LSTM 1×128 · char", "Run 2 · GRU 2×160 · char"]
    spec = run_charts.runs_chart([(labels[0], HISTORY), (labels[1], other)], unit="bits per character").to_dict()
    assert descriptions(spec) == ["held-out loss", "best epochs"]
    lines, best = spec["layer"]
    for layer in (lines, best):
        enc = layer["encoding"]
        assert (enc["x"]["field"], enc["y"]["field"], enc["color"]["field"]) == ("epoch", "val_loss", "run")
        assert enc["color"]["scale"]["domain"] == labels
    assert lines["encoding"]["y"]["title"] == "held-out loss (bits per character)"
    assert [row["run"] for row in rows(spec, lines)] == [labels[0]] * 4 + [labels[1]] * 2
    assert rows(spec, best) == [
        {"run": labels[0], "epoch": 2, "val_loss": 1.9},
        {"run": labels[1], "epoch": 2, "val_loss": 1.5},
    ]


def test_runs_chart_without_runs_renders():
    spec = run_charts.runs_chart([]).to_dict()
    assert all(rows(spec, layer) == [] for layer in spec["layer"])


def make_odds() -> NextTokenOdds:
    probs = np.array([[0.7, 0.2, 0.05], [0.4, 0.3, 0.1]])
    return NextTokenOdds(
        labels=["e", "⏎ newline", "<"],
        temperatures=[0.5, 1.0],
        probs=probs,
        other=1.0 - probs.sum(axis=1),
        entropy_bits=np.array([1.2345, 2.5]),
    )


def test_next_token_chart_has_a_bar_per_token_and_temperature():
    spec = odds_charts.next_token_chart(make_odds()).to_dict()
    temps = ["T = 0.5 (1.23 bits)", "T = 1 (2.50 bits)"]
    tokens = ["e", "⏎ newline", "<", odds_charts.OTHER_LABEL]
    data = rows(spec, spec)
    assert {(row["token"], row["temperature"]) for row in data} == {(k, t) for k in tokens for t in temps}
    assert len(data) == len(tokens) * len(temps)
    other = [row for row in data if row["token"] == odds_charts.OTHER_LABEL and row["temperature"] == temps[1]]
    assert other[0]["probability"] == pytest.approx(0.2)

    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert enc["x"]["field"] == "token" and enc["x"]["sort"] == tokens  # the model's order, not alphabetical
    assert enc["xOffset"]["field"] == "temperature"
    assert enc["y"]["field"] == "probability" and enc["y"]["axis"]["format"] == "%"
    assert enc["color"]["field"] == "temperature" and enc["color"]["scale"]["domain"] == temps
    assert {t["field"] for t in enc["tooltip"]} == {"token", "temperature", "probability"}


def alphas(markup: str) -> list[float]:
    return [float(a) for a in re.findall(r"rgba\(\d+,\d+,\d+,([\d.]+)\)", markup)]


def test_confidence_html_escapes_and_keeps_newlines():
    markup = confidence.confidence_html(["a<b", " & ", "\n", "c\nd"], [0.5, 0.5, 0.9, 0.5])
    assert "a&lt;b" in markup and " &amp; " in markup
    assert "<b" not in markup
    assert markup.count("\n") == 2
    assert re.sub(r"<[^>]*>", "", markup) == "a&lt;b &amp; \nc\nd"
    assert 'title="p = 0.5"' in markup


def test_unlikely_pieces_are_shaded_more():
    unlikely, likely, certain = alphas(confidence.confidence_html(["x", "y", "z"], [0.05, 0.9, 1.0]))
    assert unlikely > likely > certain == 0.0
    assert unlikely <= confidence.MAX_ALPHA


def test_confidence_html_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        confidence.confidence_html(["a", "b"], [0.5])


@pytest.mark.parametrize("stopped_early", [False, True])
def test_loss_chart_spec_is_the_altair_chart_without_rebuilding_it(stopped_early):
    """The page's fast path draws exactly what the Altair builder describes."""
    built = loss_charts.loss_chart(HISTORY, BATCHES, stopped_early=stopped_early, unit="bits per word").to_dict()
    fast = loss_charts.loss_chart_spec(HISTORY, BATCHES, stopped_early=stopped_early, unit="bits per word")
    assert fast == built
    fast["datasets"]["epoch loss"].clear()  # a caller changing its copy leaves the cached template alone
    again = loss_charts.loss_chart_spec(HISTORY, BATCHES, stopped_early=stopped_early, unit="bits per word")
    assert again == built


def _column_step(rank: int, probs=(0.5, 0.2, 0.1), draw: float | None = None, by_hand: bool = False):
    """A step of one column whose pick has ``rank`` (beyond the candidates: somewhere in "(other)")."""
    from lstm_poem.teaching.stepper import ColumnStep

    probs = list(probs)
    low = sum(probs[: rank - 1]) if rank <= len(probs) else sum(probs) + 0.05
    prob = probs[rank - 1] if rank <= len(probs) else 0.01
    return ColumnStep(
        temperature=0.8, candidates=["e", "a", "␣ space"], probs=probs, other=1 - sum(probs),
        draw=low + prob / 2 if draw is None else draw, pick="x", pick_label="x", rank=rank,
        band=(low, low + prob), model_prob=prob, by_hand=by_hand,
    )


def test_step_odds_chart_highlights_the_pick_or_the_rest_it_came_from():
    from lstm_poem.teaching.step_charts import PICKED, step_odds_spec

    spec = step_odds_spec(_column_step(2), "character")
    rows = spec["datasets"]["odds"]
    assert [r["token"] for r in rows] == ["e", "a", "␣ space", "(other)"]
    assert [r["picked"] for r in rows] == [False, True, False, False]
    assert PICKED in json.dumps(spec)
    rows = step_odds_spec(_column_step(9))["datasets"]["odds"]
    assert [r["picked"] for r in rows] == [False, False, False, True]  # a rare pick lies in "(other)"


def test_draw_chart_lays_each_column_end_to_end_and_marks_the_draw():
    from lstm_poem.teaching.step_charts import PICKED, draw_spec
    from lstm_poem.teaching.stepper import Step

    cold, hot = _column_step(1, draw=0.25), _column_step(2, probs=(0.2, 0.15, 0.1), draw=0.25)
    shared = draw_spec(Step(4, [cold, hot]))
    segments = shared["datasets"]["segments"]
    for column in ("1: T = 0.8", "2: T = 0.8"):
        row = [s for s in segments if s["column"] == column]
        assert row[0]["start"] == 0 and row[-1]["end"] == pytest.approx(1.0)
        assert all(a["end"] == pytest.approx(b["start"]) for a, b in zip(row, row[1:]))
    assert [s["token"] for s in segments if s["fill"] == PICKED] == ["e", "a"]  # one draw, two picks
    draws = shared["datasets"]["draws"]
    assert len(draws) == 2 and all(d["shown"] == "" for d in draws)  # told once, in the axis title
    assert "u = 0.250" in json.dumps(shared)
    by_hand = draw_spec(Step(5, [_column_step(2, by_hand=True)]))
    assert by_hand["datasets"]["draws"] == [] and "u = " not in json.dumps(by_hand)  # no draw was used


# ---- Colour-blind-safe colours, second cues and descriptions a screen reader can reach ----

# Viénot, Brettel & Mollon (1999): dichromat vision in linear RGB.
PROTANOPIA = np.array([[0.11238, 0.88762, 0.0], [0.11238, 0.88762, 0.0], [0.00401, -0.00401, 1.0]])
DEUTERANOPIA = np.array([[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]])
TYPICAL = np.eye(3)
VEGA_DEFAULT = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b"]  # Vega's "tableau10"


def lab(colour: str, vision: np.ndarray = TYPICAL) -> np.ndarray:
    """CIE L*a*b* of a hex colour as seen with ``vision`` (a matrix on linear RGB)."""
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = vision @ np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = to_xyz @ np.clip(linear, 0, 1) / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours: list[str], vision: np.ndarray) -> float:
    seen = [lab(colour, vision) for colour in colours]
    return min(float(np.linalg.norm(a - b)) for i, a in enumerate(seen) for b in seen[i + 1 :])


def test_the_categorical_colours_stay_apart_for_protanopes_and_deuteranopes_unlike_vegas_default():
    for vision in (PROTANOPIA, DEUTERANOPIA, TYPICAL):
        assert closest_pair(chart_style.CATEGORICAL[:6], vision) > 15  # CIE76 delta E: clearly different
    assert closest_pair(VEGA_DEFAULT[:5], DEUTERANOPIA) < 15  # the default's red and green merge


def test_the_sequential_colours_get_lighter_in_order_so_they_read_in_grey_too():
    for n in (2, 3, 5, 9):
        colours = chart_style.sequential_colours(n)
        assert len(colours) == n == len(set(colours))
        lightness = [lab(colour)[0] for colour in colours]
        assert lightness == sorted(lightness)


def scale_range(encoding: dict, channel: str) -> list:
    return encoding[channel]["scale"]["range"]


def test_the_odds_chart_orders_temperatures_dark_to_light_with_a_dash_each_and_says_it_in_words():
    spec = odds_charts.next_token_chart(make_odds(), "character").to_dict()
    enc = spec["encoding"]
    assert scale_range(enc, "color") == chart_style.sequential_colours(2)
    dashes = scale_range(enc, "strokeDash")
    assert enc["strokeDash"]["field"] == "temperature" and len({json.dumps(d) for d in dashes}) == 2
    assert spec["mark"]["stroke"] == "black"  # the outline that carries the dash
    assert spec["description"] == (
        "next token odds: the likeliest next character at T = 0.5: e 70%, ⏎ newline 20%, < 5%; "
        "at T = 1: e 40%, ⏎ newline 30%, < 10%."
    )


def test_the_runs_chart_gives_each_run_a_colour_dash_and_shape_and_names_their_best_epochs():
    other = [epoch(1, 2.2, 2.1, 1, 2.1), epoch(2, 1.6, 1.5, 2, 1.5)]
    spec = run_charts.runs_chart([("Run 1", HISTORY), ("Run 2", other)]).to_dict()
    lines, best = spec["layer"]
    assert scale_range(lines["encoding"], "color") == chart_style.CATEGORICAL[:2]
    assert scale_range(lines["encoding"], "strokeDash") == chart_style.DASHES[:2]
    assert scale_range(best["encoding"], "shape") == chart_style.SHAPES[:2]
    assert spec["description"] == (
        "Compared runs, held-out loss in nats per character (lower is better). "
        "Run 1: best 1.900 at epoch 2; Run 2: best 1.500 at epoch 2."
    )
    many = [(f"Run {n}", HISTORY) for n in range(1, 10)]  # more runs than colours: they cycle, nothing breaks
    assert len(scale_range(run_charts.runs_chart(many).to_dict()["layer"][0]["encoding"], "color")) == 9


def test_the_loss_chart_dashes_the_held_out_line_and_describes_the_last_epoch():
    spec = loss_charts.loss_chart(HISTORY).to_dict()
    enc = layer_named(spec, "epoch loss")["encoding"]
    assert scale_range(enc, "strokeDash") == chart_style.SERIES_DASHES and enc["shape"]["field"] == "series"
    assert spec["description"] == (
        "Loss chart: after epoch 4, training loss 1.700 and held-out loss 2.000 nats per character; "
        "the best held-out loss, 1.900, was at epoch 2."
    )
    assert loss_charts.loss_chart_spec(HISTORY)["description"] == spec["description"]
    assert loss_charts.loss_chart_spec([])["description"] == "Loss chart: no epoch has finished yet."


def test_the_improvements_chart_dashes_word_level_bars_and_lists_the_rows_in_words():
    spec = improvement_charts.improvements_chart([("Row A", 3.0, "char"), ("Row B", 2.5, "word")]).to_dict()
    enc = spec["encoding"]
    assert scale_range(enc, "color") == chart_style.CATEGORICAL[:2]
    assert enc["strokeDash"]["field"] == "level" and scale_range(enc, "strokeDash") == chart_style.DASHES[:2]
    assert spec["description"].endswith("lower is better. Row A: 3.00; Row B: 2.50")

"""The Train page's one button that runs the improvements table's cheap rows on the chosen corpus."""

from __future__ import annotations

import json

from app_helpers import button, open_page, wait_for

from lstm_poem.network.model import ModelConfig
from lstm_poem.teaching.improvements import QUICK_SECONDS, QuickRow, quick_rows
from lstm_poem.training.train_config import TrainConfig


def test_the_quick_rows_are_the_table_s_cheap_ones_within_the_server_s_cap():
    rows = quick_rows(900)
    kinds = [(r.model.cell, r.model.layers, r.model.level) if r.model else ("base", r.base) for r in rows]
    assert kinds == [("lstm", 1, "char"), ("gru", 1, "char"), ("lstm", 2, "char"), ("lstm", 1, "word"),
                     ("base", "sample_verse"), ("transformer", 2, "char")]  # fmt: skip
    gpt = rows[-1]
    assert gpt.training.seq_len <= gpt.model.context and gpt.training.warmup_steps > 0  # it can train as given
    assert all(r.training.time_limit == QUICK_SECONDS for r in rows)
    assert all(r.training.time_limit == 20 for r in quick_rows(20))  # a stricter server cap wins


def test_one_button_queues_the_rows_and_they_train_one_after_another_into_the_comparison(small_text, monkeypatch):
    from lstm_poem.teaching import improvements

    tiny = TrainConfig(seq_len=32, epochs=1, patience=1, time_limit=30)
    rows = [
        QuickRow(ModelConfig(units=16, embedding=8, dropout=0.0), tiny),
        QuickRow(ModelConfig(cell="gru", units=16, embedding=8, dropout=0.0), tiny),
        QuickRow(None, tiny, base="sample_verse"),
    ]
    monkeypatch.setattr(improvements, "quick_rows", lambda max_seconds: rows)
    at = open_page("app_pages/train.py")
    at.radio(key="corpus_source").set_value("Paste text").run()
    at.text_area(key="corpus_text").set_value(small_text).run()
    button(at, "Run the table's quick rows").click().run()
    assert not at.exception, at.exception
    assert button(at, "Train").disabled

    def all_compared(at) -> bool:
        frames = [frame.value for frame in at.dataframe if "bits per character" in frame.value.columns]
        return bool(frames) and len(frames[0]) == len(rows)

    wait_for(at, all_compared, timeout=240)
    (frame,) = [frame.value for frame in at.dataframe if "bits per character" in frame.value.columns]
    labels = list(frame["run"])
    assert "GRU" in labels[1] and "fine-tuned from" in labels[2]
    assert all(bits > 0 for bits in frame["bits per character"])
    # The comparison chart names every run with its bits per character (char and word runs share that axis).
    specs = [chart.proto.spec for kind in ("arrow_vega_lite_chart", "vega_lite_chart") for chart in at.get(kind)]
    (comparison,) = [json.loads(spec) for spec in specs if "best epochs" in spec]
    legend = {row["run"] for layer in comparison["layer"] for row in layer["data"]["values"]}
    assert len(legend) == len(labels)
    for label, bits in zip(labels, frame["bits per character"]):
        (shown,) = [entry for entry in legend if entry.startswith(label + " · ") and entry.endswith(" bits/char")]
        assert abs(float(shown.split(" · ")[-1].split()[0]) - bits) <= 0.006

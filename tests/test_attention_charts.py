"""What a Transformer's heads look at, in words and pictures (plain NumPy in, no network needed)."""

from __future__ import annotations

import numpy as np

from lstm_poem.teaching.attention_charts import attended_text_html, attention_heatmap, head_habits


def causal_rows(tokens: int, favourite_back: int) -> np.ndarray:
    """Rows that put 0.9 of their attention ``favourite_back`` tokens back (or on the first token)."""
    weights = np.zeros((tokens, tokens))
    for i in range(tokens):
        weights[i, : i + 1] = 0.1 / (i + 1)
        weights[i, max(i - favourite_back, 0)] += 0.9
    return weights


def test_each_head_is_described_by_where_it_looks():
    layer = np.stack([causal_rows(30, 1), causal_rows(30, 0), causal_rows(30, 12), np.tril(np.ones((30, 30)))])
    layer[3] /= layer[3].sum(axis=1, keepdims=True)  # evenly over everything seen
    habits = head_habits([layer])
    assert [(h.layer, h.head) for h in habits] == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert "just before" in habits[0].sentence and habits[0].on_previous > 0.85
    assert "it is on" in habits[1].sentence and habits[1].mean_distance < 1
    assert "far back" in habits[2].sentence and habits[2].mean_distance > 8
    assert "spreads" in habits[3].sentence or "far back" in habits[3].sentence


def test_the_map_and_the_shaded_text_show_only_what_a_position_could_see():
    pieces = list("a <b>\nc")
    weights = causal_rows(len(pieces), 1)
    spec = attention_heatmap(pieces, weights).to_dict()
    rows = spec["data"]["values"]
    assert spec["description"] == "attention map"
    assert all(row["back"] >= 0 for row in rows)  # nothing after the character being read
    assert max(row["weight"] for row in rows if row["read"] == "c") > 0.9
    shaded = attended_text_html(pieces, weights[4], position=4)
    assert "&lt;" in shaded and "&gt;" in shaded and "<b>" not in shaded  # typed text is escaped
    assert "underline" in shaded and "color: #999" in shaded  # the reader marked, what follows it greyed

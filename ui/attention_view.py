"""The Inside page for a Transformer: attention explained, and where each head looks in a typed text."""

from __future__ import annotations

import streamlit as st

from lstm_poem.network.transformer import AttentionMap, attention_map
from lstm_poem.teaching.attention_charts import attended_text_html, attention_heatmap, head_habits, visible
from ui import session_models
from ui.format import plain
from ui.inside_view import TEXT_STYLE

EQUATIONS = [
    (r"q_i = W_q x_i,\quad k_j = W_k x_j,\quad v_j = W_v x_j", "Each character's vector asks a **query**, "
     "offers a **key** and carries a **value**, one set per head."),
    (r"a_{ij} = \mathrm{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{d}}\right),\ j \le i", "**Attention**: how "
     "well each earlier key answers the query, turned into shares that add up to 1. Later characters are "
     "hidden: a writer cannot look ahead."),
    (r"y_i = \sum_j a_{ij}\, v_j", "**What it reads**: a blend of the earlier characters' values, in those shares."),
    (r"x_i \leftarrow x_i + y_i,\quad x_i \leftarrow x_i + \mathrm{MLP}(x_i)", "Each **block** adds what its "
     "heads read, then a small network's afterthought, to the character's vector; the last vector gives the "
     "odds of the next character."),
]  # fmt: skip


def current_attention(entry: session_models.ModelEntry, text: str) -> AttentionMap:
    """The attention of ``text``, kept for the last text only."""
    key = (entry.key, text)
    kept = st.session_state.get("inside_attention")
    if kept is None or kept[0] != key:
        kept = (key, attention_map(entry.poem, text))
        st.session_state["inside_attention"] = kept
    return kept[1]


def explain_attention(entry: session_models.ModelEntry) -> None:
    config = entry.config
    st.markdown(
        f"This model is a **Transformer**, the kind of network GPT is built from: {config.layers} blocks of "
        f"{config.heads} attention heads, {config.units} numbers per character, reading at most "
        f"{entry.poem.attention_window} characters back. It has no memory carried from step to step as an LSTM "
        "does: at every character it looks back at all the earlier ones at once."
    )
    for latex, meaning in EQUATIONS:
        left, right = st.columns([3, 4], vertical_alignment="center")
        left.latex(latex)
        right.markdown(meaning)
    st.caption("W_q, W_k and W_v are weights the training learned; d is the width of one head.")


def where_it_looks(amap: AttentionMap) -> None:
    layers = len(amap.weights)
    heads = amap.weights[0].shape[0]
    left, middle = st.columns(2)
    layer = left.selectbox("Block", range(layers), format_func=lambda i: f"block {i + 1}", key="attention_layer")
    head = middle.radio("Head", range(heads), format_func=lambda h: f"{h + 1}", horizontal=True, key="attention_head")
    weights = amap.weights[layer][head]
    last = len(amap.pieces)
    position = st.slider("Reading the character", 1, last, value=min(40, last), key="attention_position") - 1
    st.markdown(
        f"Reading **{plain(visible(amap.pieces[position]))}** (character {position + 1}), block {layer + 1}, head "
        f"{head + 1} looks at the shaded characters: the darker, the more of its attention. It cannot see the "
        "grey ones after it."
    )
    shaded = attended_text_html(amap.pieces, weights[position], position)
    st.html(f'<div dir="auto" style="{TEXT_STYLE}">{shaded}</div>')
    st.markdown("#### Every character at once")
    st.caption(
        "Each row is one character being read; its colours along the row are where that head looked. A bright "
        "line just left of the diagonal is a head that reads the previous character; bright columns are "
        "characters many later ones look back to, such as a space or a line break."
    )
    st.altair_chart(attention_heatmap(amap.pieces, weights))
    st.markdown("#### What each head tends to do on this text")
    habits = head_habits(amap.weights)
    st.dataframe(
        [
            {
                "block": h.layer + 1,
                "head": h.head + 1,
                "habit": h.sentence,
                "characters back (mean)": round(h.mean_distance, 1),
                "on the previous one": f"{h.on_previous:.0%}",
            }
            for h in habits
        ],
        hide_index=True,
        width="stretch",
    )

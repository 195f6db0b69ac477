"""Inside page: what the network computes at each character, and what it learned."""

import streamlit as st

from ui import attention_view, inside_view, memo
from ui.format import plain
from ui.model_picker import pick_model

# The project's own verse (sample_corpora/ballads.txt, CC0): varied lines, so units have something to follow.
DEFAULT_TEXT = (
    "The miller hung a lantern out\nAbove the turning wheel,\n"
    "So boats that drifted down the dark\nWould know the mill was real.\n"
)

st.title("Inside the network")
entry = pick_model()

text = st.text_area(
    "Text to read, one character at a time", key=memo.kept("inside_text", DEFAULT_TEXT), height=130, max_chars=2000
)
transformer = entry.config.is_transformer
try:
    result = (attention_view.current_attention if transformer else inside_view.current_trace)(entry, text)
except ValueError as err:
    st.warning(f"{plain(err)} Type some of the kind of text it was trained on.", icon=":material/edit:")
    st.stop()
if len(result.pieces) < len(text.rstrip()):
    where = "last" if transformer else "first"
    st.caption(f"Reading the {where} {len(result.pieces)} tokens the model knows.")

if transformer:
    explained, looking, odds, learning = st.tabs(
        ["Attention, explained", "Where it looks", "Next-character odds", "Watch it learn"]
    )
    with explained:
        attention_view.explain_attention(entry)
    with looking:
        attention_view.where_it_looks(result)
else:
    explained, gates, odds, learning = st.tabs(
        ["The cell, explained", "Gates at work", "Next-character odds", "Watch it learn"]
    )
    with explained:
        inside_view.explain_cell(entry.config.cell, result)
    with gates:
        inside_view.gates_at_work(result)
with odds:
    inside_view.next_character_odds(entry, result)
with learning:
    inside_view.watch_it_learn()

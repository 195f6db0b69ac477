"""Why isn't it meaningful? The notebook's table of improvements, each row a measured model."""

import html

import streamlit as st

from lstm_poem.teaching.improvement_charts import improvements_chart
from lstm_poem.teaching.improvements import load_table, transformer_verdict
from ui import memo
from ui.format import duration, percent
from ui.improvements_view import live_poem

POEM_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 0.98rem; line-height: 1.45"

st.title("Why isn't it meaningful?")
st.markdown(
    "A small network trained for minutes on a few pages of verse writes lines that sound like poems but say "
    "nothing: it has only learned which letters tend to follow which. The notebook lists what helps. Here each "
    "of its ideas is a real model, scored on **the same held-out text** (verse none of them trained on) and "
    "writing from **the same seed line, temperature and random seed**."
)
table = load_table()
if table is None or not table.rows:
    st.info(
        "The table has not been measured on this copy yet. Run `python scripts/improvements.py` from the "
        "project folder; it trains each row and writes `improvements/catalog.json`.",
        icon=":material/info:",
    )
    st.stop()

st.dataframe(
    [
        {
            "model": row.title,
            "bits per character": round(row.bits_per_char, 3),
            "real words": percent(row.real_word_share),
            "repetition": percent(row.repetition),
            "training": duration(row.train_seconds),
            "weights": f"{row.parameters:,}",
            "tokens": "words" if row.level == "word" else "characters",
        }
        for row in table.rows
    ],
    hide_index=True,
    width="stretch",
)
st.caption(
    f"Held-out text: {table.held_out} ({table.held_out_chars:,} characters). Real words and repetition: mean of "
    f"poems at T = {table.temperature:g} with random seeds {', '.join(map(str, table.seeds))}; real words are "
    "those found in the sample corpora or among the 6,000 commonest words of the 18 MB of verse. "
    f"Training time on {table.machine}; measured {table.made_on} by "
    "`python scripts/improvements.py`."
)
st.vega_lite_chart(
    spec=improvements_chart([(row.title, row.bits_per_char, row.level) for row in table.rows]).to_dict(),
    width="stretch",
)
st.caption(
    "Bits per character: how many yes/no questions the model needs, on average, to guess each next character "
    "of the held-out verse. Word models are scored on the same characters and pay for every word they never saw "
    "by spelling it out letter by letter, so the bars compare fairly."
)
verdict = transformer_verdict(table)
if verdict:
    st.markdown(
        "**LSTM or Transformer, at this size?** " + " ".join(verdict) + " A Transformer looks back at every "
        "earlier character at once instead of carrying a memory along; that has more to learn than an LSTM's "
        "gates, and pays off only with more text, more weights and more computing than two CPU cores give here."
    )

st.subheader("Their poems, side by side")
with st.form("improvement_settings", border=False):
    seed_column, temperature_column, random_column = st.columns([3, 2, 1])
    prime = seed_column.text_input("Seed line", key=memo.kept("improvements_prime", table.prime), max_chars=300)
    temperature = temperature_column.slider(
        "Temperature", 0.0, 2.0, step=0.05, key=memo.kept("improvements_temperature", table.temperature)
    )
    seed = random_column.number_input(
        "Random seed", 0, 2**31 - 1, step=1, key=memo.kept("improvements_seed", table.seeds[0])
    )
    st.form_submit_button("Write their poems", icon=":material/edit_note:")

if not prime.strip():
    st.warning("Type a seed line for the poems to start from.", icon=":material/edit:")
    st.stop()
for start in range(0, len(table.rows), 3):
    for column, row in zip(st.columns(3), table.rows[start : start + 3]):
        with column:
            st.markdown(f"##### {row.title}")
            with st.spinner("Writing…"):  # slow once per server and setting: the model loads and compiles
                poem = live_poem(row, prime, temperature, seed)
            seed_html = f'<span style="color: #888">{html.escape(prime)}</span>'
            st.html(f'<div dir="auto" style="{POEM_STYLE}">{seed_html}{html.escape(poem)}</div>')
            new_words = f" · {row.unknown_words} held-out words new to it" if row.unknown_words else ""
            st.caption(f"{row.bits_per_char:.2f} bits/char{new_words} · {row.why}")
            with st.expander("How it was made"):
                st.code(row.command, language="bash")
                if row.note:
                    st.caption(row.note)

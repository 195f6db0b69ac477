"""Generate page: one seed, several temperatures, poems side by side."""

import html

import streamlit as st

from lstm_poem.charts import confidence_html, next_token_chart
from lstm_poem.generate import PrimeError
from lstm_poem.poem_stats import poem_stats
from ui import state
from ui.format import percent
from ui.model_picker import pick_model

DEFAULT_SEED = "Two roads diverged in a yellow wood,\n"
DEFAULT_TEMPERATURES = (0.5, 1.0, 1.5, 0.0)
POEM_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.05rem; line-height: 1.55"

st.title("✍️ Generate poems")
entry = pick_model()
if entry is None:
    st.info("There is no model yet. Train one (the quick demo takes seconds), or load a model file above.")
    st.page_link("app_pages/train.py", label="Train a model", icon="📈")
    st.stop()
if entry.about:
    st.caption(entry.about)

token = "character" if entry.poem.config.level == "char" else "word"
prime = st.text_area(
    "Seed text: the poem starts with this", key=state.kept("seed_text", DEFAULT_SEED), height=90, max_chars=5000
)
count_column, length_column, seed_column = st.columns([1.5, 2.5, 1])
n_columns = count_column.radio("Columns", [1, 2, 3, 4], horizontal=True, key=state.kept("n_columns", 3))
length = length_column.slider(f"Length ({token}s)", 20, 1500, step=20, key=state.kept("length", 400))
seed = seed_column.number_input(
    "Random seed", 0, 2**31 - 1, step=1, key=state.kept("sample_seed", 42), help="Same seed, same poems."
)
with st.container(horizontal=True, gap="large"):
    shared_noise = st.toggle(
        "Same random numbers in every column",
        key=state.kept("shared_noise", True),
        help="Columns then differ only by temperature, which makes the comparison fair.",
    )
    shade = st.toggle(
        "Shade by the model's confidence",
        key=state.kept("shade", False),
        help="The less likely the model found a character, the stronger its shade. Hover for its probability.",
    )

columns = st.columns(n_columns)
temperatures = []
for index, column in enumerate(columns):
    temperatures.append(
        column.slider(
            f"Temperature, column {index + 1}",
            0.0,
            2.0,
            step=0.05,
            key=state.kept(f"temperature_{index}", DEFAULT_TEMPERATURES[index]),
            help="Below 1 the model plays safe; above 1 it takes risks. 0 always takes the likeliest choice.",
        )
    )

try:
    # Slow only the first time: TensorFlow starts and the sampler compiles (a few seconds).
    with st.spinner("Writing…"):
        generator = entry.generator()
        shared = entry.source == "pretrained"  # the same poems for every student: written once per server
        generation = state.remembered(
            ("poems", entry.key, prime, tuple(temperatures), length, seed, shared_noise),
            lambda: generator.generate(prime, temperatures, length=length, seed=seed, shared_noise=shared_noise),
            shared,
        )
        odds_chart = state.remembered(
            ("odds chart", entry.key, prime, tuple(temperatures)),
            lambda: next_token_chart(generator.next_token_odds(prime, temperatures), token).to_dict(),
            shared,
        )
except PrimeError as err:
    st.warning(str(err), icon="✏️")
    st.stop()

if generation.unknown:
    shown = ", ".join(repr(piece) for piece in generation.unknown[:12])
    them = "them" if len(generation.unknown) > 1 else "it"
    st.warning(
        f"The model never saw {shown} in its training text, so it skipped {them} and carried on with the rest "
        "of your seed.",
        icon="ℹ️",
    )

vocabulary = entry.vocabulary
for column, sample in zip(columns, generation.samples):
    with column:
        st.markdown(f"##### T = {sample.temperature:g}")
        body = confidence_html(sample.pieces, sample.probs) if shade else html.escape(sample.text)
        seed_html = f'<span style="color: #888">{html.escape(generation.prime)}</span>'
        st.html(f'<div style="{POEM_STYLE}">{seed_html}{body}</div>')
        stats = poem_stats(sample.text, vocabulary)
        st.caption(
            f"log-probability {sample.mean_logprob:.2f} per {token} · perplexity {sample.perplexity:.1f} · "
            f"real words {percent(stats.real_word_share)} · repetition {percent(stats.repetition)}"
        )
st.caption(f"{len(generation.samples)} poems in {generation.seconds:.2f} s.")

with st.expander("What do these numbers mean?"):
    st.markdown(
        f"- **log-probability**: how likely the model found its own poem, averaged per {token} (closer to 0 is "
        "likelier). It falls as the temperature rises.\n"
        f"- **perplexity**: the same as a number of choices: the model was, on average, as unsure as if it picked "
        f"among this many equally likely {token}s.\n"
        "- **real words**: share of the poem's words that occur in the training text; the rest are invented.\n"
        "- **repetition**: share of three-word phrases the poem already used; loops at low temperature score high."
    )

st.subheader(f"What comes next? The model's odds for the {token} after the seed")
st.caption(
    "Each column's temperature reshapes the same odds: a low temperature sharpens them towards the favourite, "
    "a high one flattens them. Entropy (in bits, in the legend) measures how spread out they are."
)
st.vega_lite_chart(spec=odds_chart, width="stretch")

poems = "\n\n".join(f"--- temperature {s.temperature:g} ---\n{generation.prime}{s.text}" for s in generation.samples)
st.download_button(
    "Download the poems",
    data=f"Model: {entry.name}\nSeed: {seed}\n\n{poems}\n",
    file_name="lstm-poem-poems.txt",
    mime="text/plain",
    icon="📄",
)

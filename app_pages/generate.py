"""Generate page: one seed, several temperatures, poems side by side."""

import html

import streamlit as st

from lstm_poem.charts import confidence_html, next_token_chart
from lstm_poem.generate import PrimeError
from lstm_poem.poem_stats import poem_stats
from ui import state
from ui.format import percent
from ui.model_picker import pick_model
from ui.sampling_controls import pick_sampling, warn_unknown

POEM_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.05rem; line-height: 1.55"

st.title("Generate poems")
entry = pick_model()
if entry is None:
    st.info("There is no model yet. Train one (the quick demo takes seconds), or load a model file above.")
    st.page_link("app_pages/train.py", label="Train a model", icon=":material/show_chart:")
    st.stop()
if entry.about:
    st.caption(entry.about)

token = "character" if entry.poem.config.level == "char" else "word"
sampling = pick_sampling(
    extra_control=lambda: st.slider(f"Length ({token}s)", 20, 1500, step=20, key=state.kept("length", 400)),
    extra_toggle=lambda: st.toggle(
        "Shade by the model's confidence",
        key=state.kept("shade", False),
        help="The less likely the model found a character, the stronger its shade. Hover for its probability.",
    ),
)
prime, temperatures, seed, shared_noise = sampling.prime, sampling.temperatures, sampling.seed, sampling.shared_noise
length, shade, columns = sampling.extra, sampling.toggle, sampling.columns

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
    st.warning(str(err), icon=":material/edit:")
    st.stop()

warn_unknown(generation.unknown)

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
    icon=":material/download:",
)

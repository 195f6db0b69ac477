"""Generate page: one seed, several temperatures, poems side by side."""

import html

import streamlit as st

from lstm_poem.measuring.poem_stats import poem_stats
from lstm_poem.network.generate import PrimeError
from lstm_poem.network.model import token_name
from lstm_poem.teaching.confidence import confidence_html
from lstm_poem.teaching.copying import CopyReport
from lstm_poem.teaching.odds_charts import next_token_chart
from ui import memo
from ui.column_models import Column, compare_models_toggle, pick_column_models, write_columns
from ui.copy_marks import check_poem, marked_html, show_copy_caption
from ui.format import percent, plain
from ui.model_picker import pick_model
from ui.sampling_controls import pick_sampling, warn_unknown

POEM_STYLE = "white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.05rem; line-height: 1.55"

st.title("Generate poems")
entry = pick_model()
if entry.about:
    st.caption(entry.about)

compare = compare_models_toggle()
token = token_name(entry.config.level)
sampling = pick_sampling(length_of=token, shading=True)
prime, temperatures, seed, shared_noise = sampling.prime, sampling.temperatures, sampling.seed, sampling.shared_noise
length, shade, columns = sampling.length, sampling.shade, sampling.columns
column_entries = pick_column_models(columns, entry) if compare else [entry] * len(columns)

try:
    # Slow only for a model built here or a Transformer, the first time: its sampler compiles (a few seconds).
    with st.spinner("Writing…"):
        written, seconds = write_columns(column_entries, entry, prime, temperatures, length, seed, shared_noise)
        writer = entry.writer()
        shared = entry.source == "pretrained"  # the same odds for every student: worked out once per server
        odds_chart = memo.remembered(
            ("odds chart", entry.key, prime, tuple(temperatures)),
            lambda: next_token_chart(writer.next_token_odds(prime, temperatures), token).to_dict(),
            shared,
        )
except PrimeError as err:
    st.warning(plain(err), icon=":material/edit:")
    st.stop()

warn_unknown(list(dict.fromkeys(piece for poem in written for piece in poem.unknown)))


def poem_html(poem: Column, copied: CopyReport | None) -> str:
    sample = poem.sample
    body = confidence_html(sample.pieces, sample.probs) if shade else marked_html(sample.text, copied)
    seed_html = f'<span style="color: #888">{html.escape(poem.prime)}</span>'
    return f'<div dir="auto" style="{POEM_STYLE}">{seed_html}{body}</div>'


drawn = []
for column, poem in zip(columns, written):
    sample, unit = poem.sample, token_name(poem.entry.config.level)
    with column:
        st.markdown(f"##### T = {sample.temperature:g}" + (f" · {plain(poem.entry.name)}" if poem.own_model else ""))
        poem_box = st.empty()
        poem_box.html(poem_html(poem, None))
        stats = poem_stats(sample.text, poem.entry.vocabulary)
        st.caption(
            f"log-probability {sample.mean_logprob:.2f} per {unit} · perplexity {sample.perplexity:.1f} · "
            f"real words {percent(stats.real_word_share)} · repetition {percent(stats.repetition)}"
        )
        drawn.append((poem, poem_box, st.empty()))
st.caption(f"{len(written)} poems in {seconds:.2f} s.")
# The copy marks come second: a training text is indexed once per server, which takes seconds on a cold one,
# and the poems are on the page meanwhile. Checking against a built index takes about a millisecond.
for poem, poem_box, caption_box in drawn:
    copied = check_poem(poem.entry, poem.prime, poem.sample.text)
    if not shade:
        poem_box.html(poem_html(poem, copied))
    with caption_box.container():
        show_copy_caption(copied)

with st.expander("What do these numbers mean?"):
    st.markdown(
        f"- **log-probability**: how likely the model found its own poem, averaged per {token} (closer to 0 is "
        "likelier). It falls as the temperature rises.\n"
        f"- **perplexity**: the same as a number of choices: the model was, on average, as unsure as if it picked "
        f"among this many equally likely {token}s.\n"
        "- **real words**: share of the poem's words that occur in the training text; the rest are invented.\n"
        "- **repetition**: share of three-word phrases the poem already used; loops at low temperature score high.\n"
        "- **copied**: share of the poem inside stretches (highlighted) that occur word for word in the model's "
        "training text: a model that memorised its text writes it back out, most of all at a low temperature."
    )

st.subheader(f"What comes next? The model's odds for the {token} after the seed")
st.caption(
    "Each column's temperature reshapes the same odds: a low temperature sharpens them towards the favourite, "
    "a high one flattens them. Entropy (in bits, in the legend) measures how spread out they are."
)
st.vega_lite_chart(spec=odds_chart, width="stretch")

poems = "\n\n".join(
    f"--- temperature {p.sample.temperature:g}, model {p.entry.name} ---\n{p.prime}{p.sample.text}" for p in written
)
st.download_button(
    "Download the poems",
    data=f"Model: {entry.name}\nSeed: {seed}\n\n{poems}\n",
    file_name="lstm-poem-poems.txt",
    mime="text/plain",
    icon=":material/download:",
)

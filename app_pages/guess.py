"""You against the model: guess the next character of a line neither of you has read, scored as the model is."""

import streamlit as st

from ui import guess_view

st.title("Guess the next letter")
st.markdown(
    "The model is scored by how surprised it is by each next character. Try it yourself: guess the next "
    "character of a line of verse, one at a time, until you get it right. Shannon measured people doing exactly "
    "this in 1951 and found about 0.6 to 1.3 bits per character of English, given a long run of text before it."
)
entry = guess_view.game_model()
if entry is None:
    st.info("The game needs a pretrained model that writes a character at a time, and none is installed here.")
    st.stop()
lines = guess_view.held_out_lines()
key = st.selectbox("Line", list(lines), format_func=lambda k: lines[k].label, key="guess_line")
line = lines[key]
st.caption(
    "From the last tenth of one of this project's own verse collections, which none of the shipped models trained "
    f"on. The grey lines before it are shown to you and to the {entry.name} model alike."
)
with st.spinner("The model reads the line…"):
    model = guess_view.model_odds(entry, line)
game = guess_view.current_game(line)
guess_view.show_line(game)
guess_view.show_guess_box(game, model)
guess_view.show_scores(game, model, entry.name)
st.subheader("The class on this line")
guess_view.show_class_total(line, entry.name)

with st.expander("How are guesses turned into bits per character?"):
    st.markdown(
        "Shannon's guessing method (C. E. Shannon, *Prediction and Entropy of Printed English*, Bell System "
        "Technical Journal 30, 1951, pp. 50-64): only the number of guesses each character took is kept, and since "
        "an identical twin guessing in the same order could rebuild the line from those numbers alone, the entropy "
        "of how often 1, 2, 3… guesses were needed is an upper bound on the information per character.\n\n"
        "The model plays the same game: its number of guesses is the rank of the right character among its odds "
        "(upper and lower case count as one, as for you). Its loss, on the Train page, uses its probabilities "
        "instead; that figure is shown too. A few dozen characters give a rough figure: the class total pools "
        "everyone's guesses, so it steadies as more students play."
    )

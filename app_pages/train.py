"""Train page: choose verse and settings, then train while watching the loss fall."""

from dataclasses import replace

import streamlit as st

from lstm_poem.checks import ConfigError
from lstm_poem.running.sharing import MAX_NAME_CHARS, QueueFull
from ui import classroom, memo, session_runs
from ui.corpus_picker import own_text_chosen, pick_corpus
from ui.format import plain
from ui.run_results import show_comparison
from ui.settings import pick_settings, size_problem, word_level_offer
from ui.start_from import pick_start
from ui.training_view import show_run

st.title("Train a model")

verse_column, settings_column = st.columns(2, gap="large")
with verse_column:
    st.subheader("1. The verse")
    corpus = pick_corpus()
with settings_column:
    st.subheader("2. The settings")
    start = pick_start()
    configs = pick_settings(fine_tuning=start.base is not None)

st.subheader("3. Train")
active = session_runs.active_run()
too_big = None
no_words = False
if corpus is not None and configs is not None and start.base is None:
    too_big = size_problem(configs[0], corpus)
    no_words = word_level_offer(configs[0], corpus)
if too_big:
    st.error(plain(too_big), icon=":material/error:")
ready = corpus is not None and configs is not None and too_big is None and not no_words
board_name = st.text_input(
    "Your name on the class board (optional)",
    max_chars=MAX_NAME_CHARS,
    key=memo.kept("board_name", ""),
    help="The class board shows your class's trainings (or, in no class, only yours). It shows no names "
    "unless you type one here.",
)
own_text = corpus is not None and own_text_chosen()
show_verse = own_text and st.checkbox(
    "Show my verse on the class board",
    key=memo.kept("show_verse", False),
    help="Your own text is private: the class board shows it as “own text”, with no file name and no line of "
    "what the model writes, unless you tick this.",
)
asker = classroom.asker(board_name, own_text=own_text, show_verse=show_verse)
with st.container(horizontal=True, vertical_alignment="center"):
    if st.button("Train", type="primary", icon=":material/play_arrow:", disabled=active is not None or not ready):
        model_config, train_config = configs
        train_config = replace(train_config, freeze_embedding=start.freeze_embedding, freeze_layers=start.freeze_layers)
        try:
            session_runs.start_run(corpus, model_config, train_config, base=start.base, asker=asker)
        except (ConfigError, QueueFull) as err:  # a teacher's LSTM_POEM_RAY_* setting that makes no sense; a long queue
            st.error(f"Training could not start: {plain(err)}", icon=":material/error:")
        else:
            st.rerun()
    if st.button(
        "Run the table's quick rows",
        icon=":material/lightbulb:",
        disabled=active is not None or corpus is None,
        help="One after another on this verse: LSTM, GRU, two stacked layers, word level, and fine-tuned from the "
        "sample verse model, each for at most a minute. They join the comparison below with their bits per "
        "character, like the table on the 'Why isn't it meaningful?' page.",
    ):
        try:
            session_runs.queue_quick_rows(corpus, asker)
        except (ConfigError, QueueFull) as err:
            session_runs.queued_runs().clear()
            st.error(f"Training could not start: {plain(err)}", icon=":material/error:")
        else:
            st.rerun()
    for label, icon, keeps, end in (
        ("Stop", ":material/stop:", "keeps the best weights", lambda job: job.stop()),
        ("Cancel", ":material/cancel:", "keeps nothing", lambda job: job.cancel()),
    ):
        ends = (
            f"Ends training now and {keeps} (and drops any queued rows). On a training classmates share, "
            "it takes only you out: theirs goes on."
        )
        pressed = st.button(label, icon=icon, disabled=active is None, help=ends)
        if pressed and active is not None:
            session_runs.queued_runs().clear()
            end(active.job)
            st.rerun()
    if "queue_refused" in st.session_state:
        st.error(f"The quick rows stopped: {plain(st.session_state.pop('queue_refused'))}", icon=":material/error:")
    if session_runs.queued_runs():
        st.caption(f"{len(session_runs.queued_runs())} more queued; each starts when the one before it ends.")
    if active is not None:
        st.caption("Training goes on while you use other pages; come back here to watch.")
    elif not ready:
        st.caption("Choose some verse and valid settings first.")

if session_runs.runs():
    show_run(session_runs.runs()[-1])
show_comparison(session_runs.runs())

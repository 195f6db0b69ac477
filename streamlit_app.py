"""lstm-poem: train a small recurrent network on verse and watch temperature at work.

Run with ``streamlit run streamlit_app.py``. This file only sets the page up and
routes; each page lives in ``app_pages/`` and the engine in ``lstm_poem/``.

The folder is not called ``pages/`` on purpose: Streamlit still treats a
``pages/`` folder beside the entry point as an old-style multipage app for a
fresh server's first visitor, who then gets a different menu and no sidebar.
"""

import streamlit as st

from lstm_poem import limits

limits.set_tensorflow_defaults()  # before any page imports TensorFlow

from ui import classroom, memory, session_runs  # noqa: E402 - after the TensorFlow defaults, on purpose
from ui.example_poems import warm_up  # noqa: E402
from ui.keras_guard import keep_keras_session  # noqa: E402
from ui.sidebar import show_sidebar  # noqa: E402

keep_keras_session()
memory.tend()  # the server's garbage collection policy (Streamlit's own after-run collection is off)

st.set_page_config(page_title="lstm-poem", page_icon=":material/edit_note:", layout="wide")

classroom.follow_the_link()  # ?class=CODE joins a class; the address keeps the class and this browser's token
session_runs.collect_finished_runs()
page = st.navigation(
    [
        st.Page("app_pages/home.py", title="Start here", icon=":material/school:", default=True),
        st.Page("app_pages/train.py", title="Train", icon=":material/show_chart:"),
        st.Page("app_pages/class_board.py", title="Class board", icon=":material/leaderboard:"),
        st.Page("app_pages/generate.py", title="Generate", icon=":material/edit_note:"),
        st.Page("app_pages/watch.py", title="Watch it write", icon=":material/slow_motion_video:"),
        st.Page("app_pages/guess.py", title="Guess the next letter", icon=":material/psychology_alt:"),
        st.Page("app_pages/inside.py", title="Inside the network", icon=":material/biotech:"),
        st.Page("app_pages/improvements.py", title="Why isn't it meaningful?", icon=":material/lightbulb:"),
    ]
)
try:
    page.run()
finally:
    show_sidebar()  # after the page (even one that stopped early), so it shows the model the page just chose
    # Importing Keras imports pandas, on a training's or the warm-up's thread, while altair and Streamlit peek
    # into sys.modules for it on a page's thread and can find it half-imported. Importing it on this thread
    # first closes that race; after the page, which a cold server's first visitor then gets half a second sooner.
    import pandas  # noqa: F401
    warm_up()  # once per server, after its first page is drawn: the default model's poems are written meanwhile

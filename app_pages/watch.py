"""Watch it write: the model writes one token at a time; each step shows the odds, the random draw and the pick."""

import streamlit as st

from lstm_poem.network.generate import PrimeError
from lstm_poem.network.model import token_name
from ui import stepper_view
from ui.format import plain
from ui.model_picker import pick_model
from ui.sampling_controls import pick_sampling, warn_unknown

st.title("Watch it write")
entry = pick_model()
token = token_name(entry.config.level)
st.caption(
    "The same model, seed text, temperatures and random seed as the Generate page: twenty steps here write "
    f"exactly the poems Generate writes with a length of twenty {token}s."
)
sampling = pick_sampling()
try:
    with st.spinner("Reading the seed…"):
        stepper = stepper_view.current_stepper(entry, sampling)
except PrimeError as err:
    st.warning(plain(err), icon=":material/edit:")
    st.stop()
warn_unknown(stepper.unknown)
stepper_view.show_stepper(entry, sampling, token)

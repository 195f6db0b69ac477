"""The first page a visitor sees: what this is and what to do, in three steps."""

import streamlit as st

st.title("lstm-poem")
st.markdown(
    "Teach a small recurrent neural network to write verse, and see for yourself what "
    "**training**, **early stopping** and **temperature** do."
)

first, second, third = st.columns(3)
with first:
    st.subheader("1. Pick some verse")
    st.markdown(
        "On the **Train** page, choose a sample corpus or a classic, upload a `.txt` file of poems, or paste some "
        "in. Or skip ahead: **Generate** already has pretrained models."
    )
with second:
    st.subheader("2. Train and watch")
    st.markdown(
        "Press **Train**. The chart shows the loss falling on the text the model learns from and on a held-out "
        "part it never sees; when the held-out loss stops improving, early stopping ends the training."
    )
with third:
    st.subheader("3. Write poems")
    st.markdown(
        "On the **Generate** page, type the first line and compare poems side by side: a low temperature "
        "plays safe, a high one takes risks."
    )

st.page_link("app_pages/train.py", label="Start training", icon=":material/show_chart:")
st.page_link("app_pages/generate.py", label="Generate poems", icon=":material/edit_note:")
st.page_link("app_pages/inside.py", label="Look inside the network", icon=":material/biotech:")

with st.expander("What is going on inside?"):
    st.markdown(
        "The network reads the text one character (or word) at a time and learns to predict the next one. "
        "Its **loss** is how surprised it is by the real next character, in nats: lower is better. "
        "To write, it repeatedly picks a next character from its predicted odds. **Temperature** reshapes "
        "those odds before the pick: below 1 it favours the likeliest characters, above 1 it flattens the "
        "odds so rarer characters get a chance. At 0 it always takes the single likeliest one. The **Inside** "
        "page shows the gates and memory of every unit as it reads, and finds units that track things like the "
        "position in the line."
    )

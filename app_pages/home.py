"""The start page: a live example, then a 45-minute lesson plan with a link to each step."""

from dataclasses import dataclass

import streamlit as st

from ui.class_panel import show_class_panel
from ui.example_poems import show_example_poems


@dataclass(frozen=True)
class LessonStep:
    minutes: int
    title: str
    page: str
    label: str  # the page's name in the link
    icon: str
    show: str  # what the teacher does on the page
    point_at: str
    ask: str  # a question for the class


LESSON = [
    LessonStep(
        6,
        "See what temperature does",
        "app_pages/generate.py",
        "Generate",
        ":material/edit_note:",
        "Show the three poems a pretrained model writes from one seed line. Drag one temperature slider "
        "from 0 to 2.",
        "the T = 0.5 column repeating safe words, the T = 1.5 column inventing words; the log-probability "
        "falling as T rises.",
        "Which poem would you call the most creative? The most correct? Can a poem be both?",
    ),
    LessonStep(
        7,
        "Step through the sampling",
        "app_pages/watch.py",
        "Watch it write",
        ":material/slow_motion_video:",
        "Press One step a few times, then Play. Set one column to T = 0 and let it play until it loops. "
        "Ask a student to choose the next character by hand.",
        "the black mark: one random number, the same in every row; at a low T the favourite's stretch is so "
        "long that the number lands on it, at a high T the same number lands on a rarer character.",
        "Why does the same random number give a different character at T = 1.5? Why does T = 0 go round in "
        "circles?",
    ),
    LessonStep(
        7,
        "You against the model",
        "app_pages/guess.py",
        "Guess the next letter",
        ":material/psychology_alt:",
        "Project the game and let the class call out guesses for one line, one character at a time; then let "
        "each student play the same line on their own device and press Add my guesses to the class total.",
        "the model's rank and probability beside each of the class's guesses; the line “you: … bits/char, the "
        "Frost model: …” and where each beat the other; the class total growing as students join.",
        "Where did you beat the model, and why could you? The model's loss is 1.2 nats per character: is that "
        "good, now that you know what one bit per character feels like?",
    ),
    LessonStep(
        12,
        "Train a model and watch early stopping",
        "app_pages/train.py",
        "Train",
        ":material/show_chart:",
        "Everyone picks a sample corpus (haiku or limericks show their form quickly), chooses Quick demo and "
        "presses Train; students who chose exactly the same watch one shared training. Put the Class board "
        "page on the projector.",
        "the two loss curves: the training loss keeps falling, the held-out loss levels off; the "
        "early-stopping dots filling up; the samples after each epoch turning from noise into verse; on the "
        "Class board, each corpus levelling off at a height of its own.",
        "Why stop when the held-out loss stops improving, not the training loss? What would happen if we "
        "trained for a hundred epochs on this small text?",
    ),
    LessonStep(
        5,
        "Did it learn, or learn by heart?",
        "app_pages/train.py",
        "Train",
        ":material/content_copy:",
        "During the training step, start a second run in another tab: paste about 5 KB of one sample corpus, "
        "choose Custom with Max epochs 200, Patience 200, Learning-rate patience 0 and Weights kept: last. Show "
        "the chart under it when it ends, then Generate with it at T = 0.2 beside the pretrained Frost model.",
        "the copied share of each epoch's sample climbing once the held-out loss has turned, while the training "
        "loss keeps falling; on Generate, “copied: …% of this poem” under each column and the highlighted "
        "stretches (hover one for its training line).",
        "Is a line copied word for word still the model's poem? Early stopping kept the best epoch's weights: "
        "why do those copy so much less than the last epoch's samples?",
    ),
    LessonStep(
        6,
        "Look inside the network",
        "app_pages/inside.py",
        "Inside the network",
        ":material/biotech:",
        "Open Gates at work and press Find interesting units.",
        "a unit whose memory rises along each line and resets at the line break: nobody told it about lines.",
        "What else might a unit learn to count or remember? What would it need to write a rhyme?",
    ),
]
WRAP_UP_MINUTES = 45 - sum(step.minutes for step in LESSON)

st.title("lstm-poem")
st.markdown(
    "Teach a small recurrent neural network to write verse, and see for yourself what "
    "**temperature**, **training** and **early stopping** do."
)
show_class_panel()
example = st.container()  # filled last: the lesson draws at once, the poems when the model is ready

st.header("A 45-minute lesson")
st.caption("Each step opens a page of this app. The sidebar's menu leads to the same pages.")
starts = [sum(step.minutes for step in LESSON[:i]) for i in range(len(LESSON))]
grid = [column for _ in range(0, len(LESSON), 2) for column in st.columns(2)]  # two steps a row: fits a projector
for number, (step, start, place) in enumerate(zip(LESSON, starts, grid), 1):
    with place.container(border=True, height="stretch"):
        st.subheader(f"{number}. {step.title}")
        st.caption(f"Minutes {start} to {start + step.minutes}")
        st.page_link(step.page, label=f"Open {step.label}", icon=step.icon)
        st.markdown(f"**Show:** {step.show}  \n**Point at:** {step.point_at}  \n**Ask:** {step.ask}")
start = 45 - WRAP_UP_MINUTES
with st.container(border=True):
    st.subheader(f"{len(LESSON) + 1}. Wrap up")
    st.caption(f"Minutes {start} to {start + WRAP_UP_MINUTES}")
    st.markdown(
        "**Ask:** The network only ever predicts the next character. Where did the lines, the spelling and the "
        "rhythm in its poems come from?"
    )

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

with example:
    show_example_poems()

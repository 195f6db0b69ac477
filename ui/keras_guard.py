"""Stop Streamlit from resetting Keras after every script run.

After each run (every click, and every poll of the live chart) Streamlit calls
``keras.backend.clear_session()``, meant for scripts that build a fresh model
on each rerun. Here models outlive runs: one trains on a background thread and
others sit in session state. Clearing throws away TensorFlow's compiled
kernels and forces a full garbage collection each time, which made a training
watched live four to five times slower. lstm-poem names its layers itself, so it
never needs Keras' global state reset.
"""

from __future__ import annotations

from streamlit.runtime.scriptrunner import script_runner

# Streamlit's own clean-up, kept to show (in a test) what the guard prevents.
STREAMLIT_CLEAN_UP = getattr(script_runner, "_clean_problem_modules", None)


def _clean_up_after_run() -> None:
    """What Streamlit's clean-up is still useful for here: nothing (no matplotlib figures, Keras kept)."""


def keep_keras_session() -> bool:
    """Replace Streamlit's post-run clean-up; False when this Streamlit version has none to replace."""
    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _clean_up_after_run
    return True

import pytest
from streamlit.runtime.scriptrunner import script_runner

from ui.keras_guard import STREAMLIT_CLEAN_UP, keep_keras_session


def test_streamlit_no_longer_clears_the_keras_session_after_a_run(monkeypatch):
    if STREAMLIT_CLEAN_UP is None:
        pytest.skip("this Streamlit version does not clear Keras after runs")
    import keras

    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: calls.append(1))
    monkeypatch.setattr(script_runner, "_clean_problem_modules", STREAMLIT_CLEAN_UP)
    script_runner._clean_problem_modules()
    assert calls, "Streamlit's own clean-up clears the Keras session (what the guard is for)"

    calls.clear()
    assert keep_keras_session()
    script_runner._clean_problem_modules()
    assert not calls

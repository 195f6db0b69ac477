"""The Streamlit app, driven headless with AppTest from its entry point."""

import subprocess
import sys

import pytest
from app_helpers import (
    APP,
    ROOT,
    button,
    charts,
    finished,
    layer_descriptions,
    open_page,
    paste_and_configure,
    texts,
    wait_for,
)
from streamlit.testing.v1 import AppTest


def test_every_page_renders():
    home = open_page()
    assert "lstm-poem" in home.title[0].value
    assert any("No training running" in text for text in texts(home.sidebar.caption))
    train = open_page("app_pages/train.py")
    assert {"Train", "Stop"} <= {b.label for b in train.button}
    assert button(train, "Stop").disabled
    assert any("distinct characters" in text for text in texts(train.markdown))  # the sample corpus is described
    generate = open_page("app_pages/generate.py")
    assert len(generate.get("html")) == 3  # a pretrained model writes at once


def test_generate_opens_with_a_pretrained_model_that_writes_at_once():
    from lstm_poem.files.pretrained import pretrained_catalog

    shipped = pretrained_catalog()
    assert shipped, "the repository ships pretrained models"
    at = open_page("app_pages/generate.py")
    assert at.selectbox[0].value == "pretrained-" + shipped[0].name
    assert any(text.startswith("Pretrained:") and "Held-out loss" in text for text in texts(at.caption))
    poems = [element.proto.body for element in at.get("html")]
    assert len(poems) == 3 and len(set(poems)) == 3  # three temperatures, three different poems
    assert any(shipped[0].title in text for text in texts(at.sidebar.markdown))


def test_a_class_opening_generate_shares_one_set_of_pretrained_poems(monkeypatch):
    from lstm_poem.network.numpy_writer import RecurrentWriter

    seed = "The quiet of a class that shares one server,\n"  # a seed no other test writes from
    written = []  # poems written from this seed (the start page's may be written meanwhile, from their own)
    generate = RecurrentWriter.generate  # the default pretrained model is an LSTM

    def counted(self, prime, *args, **kwargs):
        written.extend([prime] if prime.startswith(seed) else [])
        return generate(self, prime, *args, **kwargs)

    monkeypatch.setattr(RecurrentWriter, "generate", counted)
    first, second = (open_page("app_pages/generate.py", kept={"seed_text": seed}) for _ in range(2))
    assert len(written) == 1  # the second student's poems came from the server's memory
    assert [e.proto.body for e in first.get("html")] == [e.proto.body for e in second.get("html")]
    first.text_area[0].set_value(seed + "and more\n").run()  # a student's own seed is written for them
    assert len(written) == 2


def test_without_pretrained_models_generate_says_how_to_get_one(tmp_path, monkeypatch):
    from lstm_poem.files import pretrained
    from ui import session_models

    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", tmp_path)
    session_models.pretrained_models.clear()
    try:
        at = open_page("app_pages/generate.py")
        assert any("no model yet" in text for text in texts(at.info))
    finally:
        session_models.pretrained_models.clear()


def _tensorflow_modules_after(probe: str, timeout: int) -> str:
    """Which of TensorFlow and Keras a fresh process has imported after running ``probe`` (its assertions pass)."""
    probe = "import sys\n" + probe + "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_the_first_page_needs_tensorflow_only_for_its_example_poems(tmp_path):
    # Without pretrained models there is nothing to write with, so the lesson draws without starting TensorFlow.
    probe = (
        "from streamlit.testing.v1 import AppTest\n"
        "from lstm_poem.files import pretrained\n"
        f"pretrained.PRETRAINED_DIR = pretrained.Path({str(tmp_path)!r})\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=60).run()\n"
        "assert not at.exception\n"
        "assert any('No pretrained model' in info.value for info in at.info)\n"
        "assert any(link.proto.page == 'watch' for link in at.get('page_link'))\n"
    )
    assert _tensorflow_modules_after(probe, timeout=120) == "[]"


def test_the_start_page_poems_and_generate_need_no_tensorflow():
    # A cold server's first visitors: the start page's live poems, then Generate's poems and odds, all from the
    # default pretrained model (an LSTM), written with NumPy.
    probe = (
        "from streamlit.testing.v1 import AppTest\n"
        "from ui import example_poems\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=300).run()\n"
        "assert example_poems._warmed_up.wait(300)\n"
        "at.run()\n"
        "assert not at.exception and any('One seed line' in m.value for m in at.markdown)\n"
        "at.switch_page('app_pages/generate.py').run()\n"
        "assert not at.exception and any(c.value.startswith('3 poems in ') for c in at.caption)\n"
    )
    assert _tensorflow_modules_after(probe, timeout=600) == "[]"


def test_the_sidebar_shows_the_current_model_and_a_running_training(trained, small_text):
    from conftest import tiny_model_config, tiny_train_config
    from lstm_poem.running.job import TrainingJob
    from lstm_poem.text.corpus import corpus_from_text
    from ui.session_models import ModelEntry
    from ui.session_runs import Run

    # A job that is never started stays "pending", which the sidebar must report as a running training.
    waiting = TrainingJob(corpus_from_text(small_text), tiny_model_config(), tiny_train_config())
    at = open_page(
        models={"m": ModelEntry("m", "Sonnet model", "test", trained.poem)},
        current_model="m",
        runs=[Run(1, "pasted text", waiting)],
    )
    (card,) = texts(at.sidebar.markdown)[1:]
    assert "Sonnet model" in card and "char level" in card and f"{trained.best_val_loss:.3f}" in card
    assert any("Run 1" in text and "waiting" in text for text in texts(at.sidebar.info))


def test_tiny_training_runs_to_the_end_then_generates_at_three_temperatures(small_text, caplog):
    at = open_page("app_pages/train.py")
    # No time limit to reach on a busy machine: the run ends by early stopping or after its 40 epochs.
    paste_and_configure(at, small_text, setting_epochs=40, setting_patience=1, setting_time_limit=900)
    button(at, "Train").click().run()
    assert button(at, "Train").disabled and not button(at, "Stop").disabled
    wait_for(at, finished, timeout=600)

    (outcome,) = [text for text in texts(at.info) if "weights" in text]
    assert "stopped" in outcome or "epochs ran" in outcome
    (chart,) = [spec for spec in charts(at) if "epoch loss" in layer_descriptions(spec)]
    assert "best epoch" in layer_descriptions(chart)
    if "Early stopping fired" in outcome:
        assert "early stop" in layer_descriptions(chart)
    summary = ["Best held-out loss", "Bits per character", "Best epoch", "Training time"]
    assert [m.label for m in at.metric][-4:] == summary
    assert len(at.get("download_button")) == 1
    assert at.code, "a sample written after the last epoch is shown"

    at.switch_page("app_pages/generate.py").run()
    assert not at.exception, at.exception
    poems = [h.proto.body for h in at.html]
    assert len(poems) == 3 and all("Two roads diverged" in poem for poem in poems)
    assert [text for text in texts(at.markdown) if text.startswith("##### T =")] == [
        "##### T = 0.5",
        "##### T = 1",
        "##### T = 1.5",
    ]
    (odds,) = charts(at)
    assert odds["description"].startswith("next token odds: the likeliest next character at T = 0.5: ")
    assert "Run 1" in texts(at.sidebar.markdown)[-1]  # the sidebar names the new current model
    # Streamlit warns about any st.* call made from a thread without a script context.
    assert not [r for r in caplog.records if "lstm-poem-training" in r.getMessage()]


def test_a_text_too_short_for_the_window_fails_with_a_message():
    at = open_page("app_pages/train.py")
    paste_and_configure(at, "A single line of verse, far too short to learn from.\n", setting_seq_len=64)
    button(at, "Train").click().run()
    wait_for(at, lambda at: len(at.error) > 0)
    assert "too short" in texts(at.error)[0]
    assert not button(at, "Train").disabled, "the user can fix the text and try again"


def test_leaving_the_train_page_keeps_the_training_and_stop_keeps_the_best_weights(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_epochs=1000, setting_patience=1000, setting_time_limit=900)
    button(at, "Train").click().run()
    wait_for(at, lambda at: any((p.proto.text or "").startswith("Epoch ") for p in at.get("progress")))

    at.switch_page("app_pages/generate.py").run()
    assert not at.exception, at.exception
    assert any("epoch" in text for text in texts(at.sidebar.info))  # the sidebar says it is still training
    at.switch_page("app_pages/train.py").run()
    assert at.number_input(key="setting_units").value == 32  # settings survived the page switch
    assert at.radio(key="corpus_source").value == "Paste text"
    assert button(at, "Train").disabled, "the training is still running"

    button(at, "Stop").click().run()
    wait_for(at, finished)
    assert any("You stopped training" in text for text in texts(at.info))
    assert len(at.get("download_button")) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_a_bad_corpus_upload_shows_a_message(name, data, message):
    at = open_page("app_pages/train.py")
    at.radio(key="corpus_source").set_value("Upload a .txt file").run()
    at.file_uploader(key="corpus_upload").upload(name, data, "text/plain").run()
    assert not at.exception, at.exception
    assert any(message in text for text in texts(at.error))
    assert button(at, "Train").disabled


def test_a_bad_model_upload_shows_a_message():
    at = open_page("app_pages/generate.py")
    at.file_uploader(key="bundle_upload").upload("model.zip", b"PK\x03\x04 not really a zip", "application/zip").run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "model.zip" in texts(at.error)[0]


def test_generate_with_an_uploaded_model_warns_about_unknown_seed_characters(trained):
    from lstm_poem.files.bundle import bundle_bytes

    at = open_page("app_pages/generate.py")
    at.file_uploader(key="bundle_upload").upload("tiny.zip", bundle_bytes(trained.poem), "application/zip").run()
    assert not at.exception, at.exception
    picker = next(box for box in at.selectbox if box.label == "Model")
    assert "tiny.zip (uploaded)" in picker.options and picker.value.startswith("upload-")  # named once, chosen
    assert len(at.html) == 3
    at.radio(key="n_columns").set_value(4).run()
    assert len(at.html) == 4
    at.text_area(key="seed_text").set_value("The sea ⚡ at night\n").run()
    assert any("'⚡'" in text for text in texts(at.warning))
    assert len(at.html) == 4
    at.toggle(key="shade").set_value(True).run()
    assert "rgba(" in at.html[0].proto.body


def test_choosing_a_preset_fills_in_every_setting():
    at = open_page("app_pages/train.py")
    assert at.number_input(key="setting_units").value == 128  # Quick demo
    at.radio(key="preset").set_value("Balanced").run()
    assert at.number_input(key="setting_units").value == 256
    assert at.number_input(key="setting_time_limit").value == 150
    assert len(at.number_input) + len(at.selectbox) + len(at.slider) >= 14  # every engine setting has a control
    at.number_input(key="setting_layers").set_value(2).run()
    assert at.radio(key="preset").value == "Custom" and at.number_input(key="setting_units").value == 256


def test_settings_are_drawn_with_their_kept_values_and_a_same_value_edit_keeps_the_preset():
    at = open_page("app_pages/train.py")
    # The browser starts a widget drawn anew at its own default: that default is the kept value, not the
    # widget's minimum or first option, so an interrupted rerun cannot send back other settings.
    assert at.number_input(key="setting_epochs").proto.default == at.number_input(key="setting_epochs").value == 100
    batch_sizes = at.selectbox(key="setting_batch_size").options
    assert at.selectbox(key="setting_batch_size").proto.default == batch_sizes.index("32")
    at.number_input(key="setting_units").set_value(128).run()  # the Quick demo's own value: still the Quick demo
    assert at.radio(key="preset").value == "Quick demo"
    at.number_input(key="setting_units").set_value(96).run()
    assert at.radio(key="preset").value == "Custom"


def test_a_classic_downloads_once_with_progress_then_comes_from_the_cache(corpus_server, tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_POEM_CORPUS_MIRROR", f"{corpus_server}/wrapped")
    monkeypatch.setenv("LSTM_POEM_CACHE_DIR", str(tmp_path))
    at = open_page("app_pages/train.py")
    at.radio(key="corpus_source").set_value("Classic (download)").run()
    at.selectbox(key="corpus_classic").set_value("blake").run()
    assert not any("distinct characters" in text for text in texts(at.markdown))  # nothing until asked
    button(at, "Download Poems of William Blake").click().run()
    assert not at.exception, at.exception
    assert any("Gutenberg header" in text for text in texts(at.info))
    assert any("distinct characters" in text for text in texts(at.markdown))
    assert not button(at, "Train").disabled
    assert (tmp_path / "blake.txt").is_file()

    later = open_page("app_pages/train.py", corpus_source="Classic (download)", corpus_classic="blake")
    assert "Download Poems of William Blake" not in [b.label for b in later.button]
    assert any("distinct characters" in text for text in texts(later.markdown))


def test_offline_a_classic_says_it_needs_the_internet(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_POEM_CORPUS_MIRROR", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("LSTM_POEM_CACHE_DIR", str(tmp_path))
    at = open_page("app_pages/train.py", corpus_source="Classic (download)", corpus_classic="whitman")
    assert any("needs the internet" in text for text in texts(at.info))
    assert not at.error
    assert button(at, "Train").disabled


def test_fine_tuning_a_pretrained_model_from_the_train_page(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_epochs=1)
    at.selectbox(key="start_from").set_value("pretrained-sample_verse").run()
    assert any("Fine-tuning keeps the base's network" in text for text in texts(at.caption))
    at.toggle(key="freeze_embedding").set_value(True).run()
    button(at, "Train").click().run()
    wait_for(at, finished)
    (title,) = [text for text in texts(at.markdown) if text.startswith("#### Run 1")]
    assert "fine-tuned from lstm-poem sample verse" in title and "1×512" in title  # the base's network
    assert state_models(at)["run-1"].poem.info["base_model"]["corpus"] == "sample_verse"


def state_models(at: AppTest) -> dict:
    return at.session_state["models"]


def test_closing_the_tab_stops_its_training_and_frees_everything(small_text, monkeypatch):
    import gc
    import weakref

    from lstm_poem import limits
    from lstm_poem.running.sharing import REGISTRY

    monkeypatch.setattr(limits, "ABANDONED_TRAINING_SECONDS", 1.0)
    at = open_page("app_pages/train.py")
    paste_and_configure(at, small_text, setting_epochs=500, setting_patience=500)
    button(at, "Train").click().run()
    job = at.session_state["runs"][0].job
    # The tab closes: nothing polls the job any more.
    assert job.join(timeout=120), "the training must stop by itself"
    assert job.snapshot().abandoned and job.snapshot().result.epochs_run < 500
    # Nobody can join an abandoned training: the server's list of trainings forgets it at its next look.
    assert all(shared.job is not job.training.job for shared in REGISTRY.recent())
    model = weakref.ref(job.snapshot().result.poem.network)
    del at, job
    gc.collect()
    assert model() is None, "nothing outside the session may keep its model alive"


def test_choosing_a_transformer_brings_its_training_recipe_and_back():
    at = open_page("app_pages/train.py")
    at.selectbox(key="setting_learning_rate").set_value(0.003).run()  # the person's own choice stays
    at.selectbox(key="setting_cell").set_value("transformer").run()
    assert at.selectbox(key="setting_batch_size").value == 12
    assert at.number_input(key="setting_warmup_steps").value == 100
    assert at.selectbox(key="setting_weight_decay").value == 0.1
    assert at.number_input(key="setting_lr_patience").value == 0
    assert at.selectbox(key="setting_learning_rate").value == 0.003 and at.slider(key="setting_dropout").value == 0
    at.selectbox(key="setting_cell").set_value("gru").run()
    assert at.selectbox(key="setting_batch_size").value == 32 and at.number_input(key="setting_warmup_steps").value == 0
    assert not at.exception


def test_a_transformer_window_longer_than_its_context_is_refused_before_training():
    at = open_page("app_pages/train.py")
    at.selectbox(key="setting_cell").set_value("transformer").run()
    at.number_input(key="setting_context").set_value(32).run()
    at.number_input(key="setting_seq_len").set_value(64).run()
    assert any("longer than the Transformer's context (32 positions)" in text for text in texts(at.error))
    assert not at.exception
    at.selectbox(key="setting_cell").set_value("lstm").run()  # its own settings are the LSTM's no more
    assert not at.error


def test_word_level_on_a_text_without_spaces_says_why_and_offers_character_level():
    at = open_page("app_pages/train.py")
    paste_and_configure(at, "春の雨が静かに窓を打つ。\n猫は眠りながら夢を見る。\n" * 40)
    at.selectbox(key="setting_level").set_value("word").run()
    assert any("no spaces between words" in text for text in texts(at.error))
    assert button(at, "Train").disabled
    button(at, "Use character level").click().run()
    assert at.selectbox(key="setting_level").value == "char" and not at.error
    assert not button(at, "Train").disabled

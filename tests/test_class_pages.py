"""A class on the pages: identical trainings shared between sessions, Stop by one of them, the class board."""

from __future__ import annotations

import threading
import uuid

from app_helpers import button, finished, new_class, open_page, paste_and_configure, texts, wait_for

from lstm_poem.running.job import SLOTS
from lstm_poem.running.sharing import REGISTRY


def unique_verse(small_text: str) -> str:
    """Verse no other test trains on, so that no earlier training of this process can be joined."""
    return f"CLASS {uuid.uuid4().hex[:8]}\n{small_text}"


def training_of(at):
    return at.session_state["runs"][-1].job.training


def test_two_sessions_asking_for_the_identical_training_get_one_training_and_two_runs(small_text):
    text = unique_verse(small_text)
    link = {"class": new_class()}
    first, second = open_page("app_pages/train.py", link), open_page("app_pages/train.py", link)
    for at in (first, second):
        paste_and_configure(at, text, setting_epochs=2)
        button(at, "Train").click().run()
    assert training_of(first) is training_of(second)
    assert len(training_of(first).seats) == 2
    second.run()
    assert any("You and 1 classmate asked for exactly this training" in t for t in texts(second.info))
    for at in (first, second):
        wait_for(at, finished)
    one, two = (at.session_state["models"]["run-1"] for at in (first, second))
    assert one.poem is two.poem  # one model, a run of their own in each session

    # Another seed is another training.
    third = open_page("app_pages/train.py")
    paste_and_configure(third, text, setting_epochs=2, setting_seed=7)
    button(third, "Train").click().run()
    assert training_of(third) is not training_of(first)
    wait_for(third, finished)


def test_one_students_stop_leaves_the_others_training_running(small_text):
    text = unique_verse(small_text)
    leaver, stayer = open_page("app_pages/train.py"), open_page("app_pages/train.py")
    for at in (leaver, stayer):
        paste_and_configure(at, text, setting_epochs=500, setting_patience=500)
        button(at, "Train").click().run()
    wait_for(stayer, lambda at: training_of(at).job.snapshot(seen=False).epochs)
    button(leaver, "Stop").click().run()
    assert any("You left this shared training" in t for t in texts(leaver.info))
    assert not button(leaver, "Train").disabled  # free to train something else
    stayer.run()
    snapshot = stayer.session_state["runs"][0].job.snapshot()
    assert snapshot.running and not snapshot.stop_requested
    button(stayer, "Stop").click().run()  # the last one watching: now it stops, keeping the best weights
    wait_for(stayer, finished)
    wait_for(leaver, lambda at: "run-1" in at.session_state.get("models", {}))
    assert leaver.session_state["models"]["run-1"].poem is stayer.session_state["models"]["run-1"].poem


def test_the_class_board_lists_trainings_with_the_names_students_chose(small_text):
    link = {"class": new_class()}
    at = open_page("app_pages/train.py", link)
    paste_and_configure(at, unique_verse(small_text), setting_epochs=2)
    at.text_input(key="board_name").set_value("Ada <b>L</b>").run()
    button(at, "Train").click().run()
    wait_for(at, finished)
    board = open_page("app_pages/class_board.py", link)  # a classmate's screen, or the projector
    assert not board.exception
    assert board.get("vega_lite_chart"), "the overlaid curves"
    (table,) = board.dataframe
    frame = table.value
    mine = frame[frame["names"] == "Ada <b>L</b>"]  # kept as typed; a table cell draws it as plain text
    assert len(mine) == 1 and mine.iloc[0]["status"] in ("last epoch", "early stopping")
    assert mine.iloc[0]["epochs"] == 2 and mine.iloc[0]["bits per character"] > 0
    assert any(shared.names() == ["Ada <b>L</b>"] for shared in REGISTRY.recent())


def test_a_student_waiting_in_line_watches_the_class_board(small_text):
    stop = threading.Event()
    holders = [f"another class {n}" for n in range(SLOTS.size)]
    for holder in holders:  # every slot of this server is taken
        assert SLOTS.acquire(holder, stop)
    try:
        at = open_page("app_pages/train.py")
        paste_and_configure(at, unique_verse(small_text), setting_epochs=1)
        button(at, "Train").click().run()
        at.run()
        assert any("Waiting for a free training slot" in t for t in texts(at.info))
        assert any("Meanwhile, the class's trainings" in t for t in texts(at.markdown))
        assert at.dataframe, "the board's table of trainings"
    finally:
        for holder in holders:
            SLOTS.release(holder)
    wait_for(at, finished)


def test_a_student_alone_who_presses_stop_stops_the_training_and_keeps_the_best_weights(small_text):
    at = open_page("app_pages/train.py")
    paste_and_configure(at, unique_verse(small_text), setting_epochs=500, setting_patience=500)
    button(at, "Train").click().run()
    wait_for(at, lambda at: training_of(at).job.snapshot(seen=False).epochs)
    button(at, "Stop").click().run()
    assert not any("You left" in t for t in texts(at.info))  # nobody else watches: a real stop
    wait_for(at, lambda at: any("You stopped training" in t for t in texts(at.info)))
    assert "run-1" in at.session_state["models"]


def board_table(at):
    """The class board's rows as a data frame (None when it shows none)."""
    return at.dataframe[0].value if at.dataframe else None


def test_a_pasted_texts_name_and_verse_reach_a_class_board_only_when_its_student_opts_in(small_text):
    text = unique_verse(small_text)
    keeps, shows = {"class": new_class()}, {"class": new_class()}
    private, public = open_page("app_pages/train.py", keeps), open_page("app_pages/train.py", shows)
    for at in (private, public):
        paste_and_configure(at, text, setting_epochs=1)
    public.checkbox(key="show_verse").check().run()
    for at in (private, public):
        button(at, "Train").click().run()
    assert training_of(private) is training_of(public)  # one training for the server
    wait_for(private, finished)
    (row,) = board_table(open_page("app_pages/class_board.py", keeps)).to_dict("records")
    assert row["verse"] == "own text" and row["a line of its verse"] == "" and row["students"] == 1
    (row,) = board_table(open_page("app_pages/class_board.py", shows)).to_dict("records")
    assert row["verse"] == "pasted text" and row["a line of its verse"] and row["students"] == 1


def test_only_the_session_that_started_a_class_can_count_hide_and_end_it(small_text):
    from conftest import tiny_model_config, tiny_train_config
    from lstm_poem.running.backend import TrainingRequest
    from lstm_poem.running.sharing import Asker
    from lstm_poem.text.corpus import corpus_from_text

    teacher = open_page()
    button(teacher, "Start a class").click().run()
    code = teacher.session_state["class_code"]
    assert any(f"?class={code}" in block.value for block in teacher.code)  # the link to show
    link = {"class": code}
    student = open_page("app_pages/class_board.py", link)
    forger = open_page("app_pages/class_board.py", link, class_secret="a guess")
    corpus = corpus_from_text(unique_verse(small_text), name="ballads")
    seat = REGISTRY.submit(
        TrainingRequest(corpus, tiny_model_config(), tiny_train_config(epochs=1)),
        Asker(student.session_state["visitor"], code),
    )
    assert seat.join(120)
    teacher.switch_page("app_pages/class_board.py").run()
    assert [metric.value for metric in teacher.metric] == ["2"]  # the student and the forger
    for at in (student, forger):
        at.run()
        assert not at.metric and not [b for b in at.button if b.label in ("Hide it", "End the class")]
        assert len(board_table(at)) == 1
    teacher.selectbox(key="class_hide_row").set_value(seat.training.number).run()
    button(teacher, "Hide it").click().run()
    assert board_table(student.run()) is None and board_table(teacher) is None  # hidden for the whole class
    button(teacher, "End the class").click().run()
    student.switch_page("app_pages/home.py").run()
    assert any("has ended" in text for text in texts(student.info))
    assert "class_code" not in student.session_state and "Start a class" in [b.label for b in student.button]


def test_a_student_joins_by_typing_the_code_and_a_wrong_code_says_so():
    code = new_class()
    at = open_page()
    at.text_input(key="join_code").set_value("![x](http://127.0.0.1:9/)")  # a form: sent with its button
    button(at, "Join the class").click().run()
    assert any("No class has that code" in text for text in texts(at.error)) and "class_code" not in at.session_state
    at.text_input(key="join_code").set_value(f"{code[:4].lower()} {code[4:]}")
    button(at, "Join the class").click().run()
    assert at.session_state["class_code"] == code
    assert any(f"You are in class **{code[:4]}-{code[4:]}**" in text for text in texts(at.success))
    assert at.query_params["class"] == code  # in the address: a reload keeps the class

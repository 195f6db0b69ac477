"""Class rooms in the engine: codes, the teacher's secret, expiry and bounds, and what a class's board shows."""

from __future__ import annotations

import pytest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.running.backend import ThreadBackend, TrainingRequest
from lstm_poem.running.sharing import Asker, TrainingRegistry
from lstm_poem.teaching.class_board import OWN_TEXT, ClassBoard, Viewer
from lstm_poem.teaching.classroom import CODE_ALPHABET, CODE_LENGTH, ClassError, ClassRegistry, shown_code
from lstm_poem.teaching.guessing import MIN_POOLED_CHARS, ClassTotals, ModelGuess
from lstm_poem.text.corpus import corpus_from_text


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_codes_are_short_hard_to_guess_and_typed_in_any_case():
    classes = ClassRegistry(max_classes=100)
    codes = {classes.start()[0].code for _ in range(100)}
    assert len(codes) == 100
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(CODE_ALPHABET) ** CODE_LENGTH >= 2**40  # against at most MAX_CLASSES codes in use
    code = next(iter(codes))
    typed = shown_code(code).lower().replace("-", " - ")
    assert classes.join(typed, "browser-1").code == code
    with pytest.raises(ClassError, match="No class has that code"):
        classes.join("![x](http://127.0.0.1/)", "browser-1")  # a wrong code is not echoed back


def test_only_the_teachers_secret_opens_the_teachers_controls():
    classes = ClassRegistry()
    room, secret = classes.start()
    classes.join(room.code, "student-a")
    classes.join(room.code, "student-a")  # a reload of the same browser is the same student
    classes.join(room.code, "student-b")
    other, other_secret = classes.start()
    for wrong in (None, "", "guess", other_secret):
        assert not room.is_teacher(wrong)
        with pytest.raises(ClassError, match="Only the teacher"):
            room.student_count(wrong)
        with pytest.raises(ClassError, match="Only the teacher"):
            room.hide_row(wrong, 3)
        with pytest.raises(ClassError, match="Only the teacher"):
            classes.end(room.code, wrong)
    assert classes.find(room.code) is room and room.hidden_rows() == frozenset()
    assert room.student_count(secret) == 2
    room.hide_row(secret, 3)
    assert room.hidden_rows() == {3}
    classes.end(room.code, secret)
    assert classes.find(room.code) is None and room.ended
    with pytest.raises(ClassError, match="No class has the code"):
        classes.join(room.code, "student-c")  # its code means nothing now
    assert classes.find(other.code) is other  # the other class goes on


def test_classes_expire_with_time_and_idleness_and_the_server_holds_a_bounded_number():
    clock = Clock()
    classes = ClassRegistry(max_classes=2, max_students=2, class_seconds=100, idle_seconds=30, clock=clock)
    busy, _ = classes.start()
    idle, _ = classes.start()
    with pytest.raises(ClassError, match="already holds 2 classes"):
        classes.start()
    classes.join(busy.code, "a")
    classes.join(busy.code, "b")
    with pytest.raises(ClassError, match="class is full"):
        classes.join(busy.code, "c")
    classes.join(busy.code, "a")  # one who is in it already is let in again
    clock.now += 20
    assert classes.find(busy.code) is busy  # a look keeps a class awake
    clock.now += 20
    assert classes.find(idle.code) is None  # nobody looked for 40 s
    assert classes.find(busy.code) is busy and classes.count() == 1
    third, _ = classes.start()  # room again
    for clock.now in (1060.0, 1080.0, 1100.0):  # looked at every 20 s: awake…
        assert classes.find(busy.code) is busy
    clock.now = 1100.5
    assert classes.find(busy.code) is None  # …but over its 100 s, however busy
    assert classes.count() == 0 and busy.ended and third.ended


def test_a_class_total_takes_a_browsers_line_once_and_only_games_of_ten_characters():
    totals = ClassTotals(["line-1", "line-2"])
    model = [ModelGuess("a", 0.5, 2)] * 40
    assert not totals.add("line-1", [1] * (MIN_POOLED_CHARS - 1), model, player="p1")  # too short to count
    assert totals.add("line-1", [1] * MIN_POOLED_CHARS, model, player="p1")
    assert not totals.add("line-1", [3] * 30, model, player="p1")  # the same browser after a reload
    assert totals.add("line-2", [3] * 30, model, player="p1")  # another line counts
    assert totals.add("line-1", [3] * 30, model, player="p2")
    assert totals.line("line-1").players == 2 and totals.line("line-1").chars == MIN_POOLED_CHARS + 30


@pytest.fixture
def registry():
    backend = ThreadBackend()
    return TrainingRegistry(lambda: backend)


def request(text: str, name: str = "ballads", **training) -> TrainingRequest:
    return TrainingRequest(corpus_from_text(text, name=name), tiny_model_config(), tiny_train_config(**training))


def test_each_class_sees_only_its_own_students_at_a_training_shared_by_the_server(registry, small_text):
    board = ClassBoard(registry)
    ada = registry.submit(request(small_text, epochs=1), Asker("a1", "CLASSAAA", "Ada"))
    bob = registry.submit(request(small_text, epochs=1), Asker("b1", "CLASSBBB", "Bob"))
    alone = registry.submit(request(small_text, epochs=1, seed=9), Asker("solo", "", "Me"))
    assert ada.training is bob.training  # trained once for the server…
    assert ada.class_code == "CLASSAAA" and ada.snapshot().classmates == 0  # …but no classmate of Ada's
    for seat in (ada, alone):
        assert seat.join(120)
    (row_a,) = board.view(Viewer(class_code="CLASSAAA"))[0]
    (row_b,) = board.view(Viewer(class_code="CLASSBBB"))[0]
    assert (row_a.names, row_a.students, row_b.names, row_b.students) == ("Ada", 1, "Bob", 1)
    (mine,) = board.view(Viewer(visitor="solo"))[0]  # in no class: only their own
    assert mine.names == "Me" and mine.number == alone.training.number
    assert board.view(Viewer(visitor="stranger")) == ([], None)
    assert board.view(Viewer(class_code="CLASSAAA", hidden=frozenset({row_a.number}))) == ([], None)


def test_an_uploaded_texts_name_and_verse_reach_the_board_only_when_its_student_opts_in(registry, small_text):
    board = ClassBoard(registry)
    diary = "my secret diary\n" + small_text
    private = registry.submit(
        request(diary, name="emma_private_diary", epochs=1, sample_length=40), Asker("e", "CLASSAAA", own_text=True)
    )
    assert private.join(120)
    (row,) = board.view(Viewer(class_code="CLASSAAA"))[0]
    assert row.corpus == OWN_TEXT and row.verse == "" and all(not r.sample for r in row.history)
    assert "emma" not in repr(row) and "diary" not in repr(row)
    shown = registry.submit(
        request(diary, name="emma_private_diary", epochs=1, sample_length=40),
        Asker("f", "CLASSBBB", own_text=True, show_verse=True),
    )
    assert shown.training is private.training
    (row,) = board.view(Viewer(class_code="CLASSBBB"))[0]
    assert row.corpus == "emma_private_diary" and row.verse  # this student chose to show it
    (row,) = board.view(Viewer(class_code="CLASSAAA"))[0]
    assert row.corpus == OWN_TEXT  # the other class's choice does not show the first student's
    sample = registry.submit(request(small_text, epochs=1), Asker("g", "CLASSAAA"))
    assert sample.join(120)
    assert [r.corpus for r in board.view(Viewer(class_code="CLASSAAA"))[0]] == [OWN_TEXT, "ballads"]

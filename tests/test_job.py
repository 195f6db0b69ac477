import threading
import time

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.running.job import TrainingJob, TrainingSlots
from lstm_poem.text.corpus import corpus_from_text


def test_job_trains_on_a_thread_and_snapshots_progress(small_text):
    job = TrainingJob(corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=2)).start()
    assert job.snapshot().running
    assert job.join(timeout=120)
    snap = job.snapshot()
    assert snap.state == "done" and not snap.running and snap.error is None
    assert [e.epoch for e in snap.epochs] == [1, 2]
    assert snap.last_batch.epoch == 2 and snap.last_batch.fraction == 1.0
    assert snap.result.best_epoch in (1, 2) and snap.elapsed > 0
    assert job.snapshot().elapsed == snap.elapsed  # the clock stops when the job ends


def test_stop_ends_the_job_cleanly(small_text):
    job = TrainingJob(corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=500))
    job.start()
    while not job.snapshot().batches:
        threading.Event().wait(0.05)
    job.stop()
    assert job.join(timeout=60)
    snap = job.snapshot()
    assert snap.state == "done" and snap.stop_requested
    assert snap.result.stop_reason == "user_stop" and len(snap.epochs) < 500


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_errors_end_up_in_the_snapshot():
    job = TrainingJob(corpus_from_text("Too short.\n"), tiny_model_config(), tiny_train_config(seq_len=64)).start()
    assert job.join(timeout=60)
    snap = job.snapshot()
    assert snap.state == "failed" and "too short" in snap.error and snap.result is None


def test_a_job_over_the_cap_waits_its_turn_and_can_be_cancelled(small_text):
    slots = TrainingSlots(1)
    assert slots.acquire("someone else", threading.Event())  # their training holds the only slot
    corpus = corpus_from_text(small_text)
    waiting = TrainingJob(corpus, tiny_model_config(), tiny_train_config(epochs=1), slots=slots).start()
    cancelled = TrainingJob(corpus, tiny_model_config(), tiny_train_config(epochs=1), slots=slots).start()
    threading.Event().wait(0.5)
    assert waiting.snapshot().state == "queued" and waiting.snapshot().running
    cancelled.stop()
    assert cancelled.join(timeout=5)
    assert cancelled.snapshot().state == "cancelled" and cancelled.snapshot().result is None

    slots.release("someone else")
    assert waiting.join(timeout=120)
    assert waiting.snapshot().state == "done" and slots.busy == 0


def test_a_job_nobody_watches_stops_itself_and_frees_its_slot(small_text):
    slots = TrainingSlots(1)
    job = TrainingJob(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=500), slots=slots, abandon_after=1.0
    )
    job.start()
    assert job.join(timeout=120), "an abandoned job must end by itself"
    snapshot = job.snapshot()
    assert snapshot.abandoned and snapshot.state == "done" and snapshot.result.stop_reason == "user_stop"
    assert snapshot.result.epochs_run < 500 and slots.busy == 0


def test_a_watched_job_keeps_going_and_an_abandoned_queued_job_never_starts(small_text):
    slots = TrainingSlots(1)
    assert slots.acquire("someone else", threading.Event())  # their training holds the only slot
    queued = TrainingJob(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(), slots=slots, abandon_after=0.5
    )
    queued.start()
    assert queued.join(timeout=30)
    assert queued.snapshot().state == "cancelled" and queued.snapshot().abandoned
    slots.release("someone else")

    watched = TrainingJob(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=3), slots=slots, abandon_after=2.0
    )
    watched.start()
    while not watched.join(timeout=0.2):
        watched.snapshot()  # a page polling it
    assert not watched.snapshot().abandoned and watched.snapshot().result.epochs_run == 3


def test_waiting_jobs_are_served_in_order_and_told_their_place_and_wait(small_text):
    slots = TrainingSlots(1)
    assert slots.acquire("someone else", threading.Event(), time_limit=60)  # ends within 60 s at the latest
    corpus = corpus_from_text(small_text)
    first, second = (
        TrainingJob(corpus, tiny_model_config(), tiny_train_config(epochs=1, time_limit=30), slots=slots)
        for _ in range(2)
    )
    first.start()
    wait_for(lambda: first.snapshot().queue_place is not None)
    second.start()
    wait_for(lambda: second.snapshot().queue_place is not None)
    place, wait = first.snapshot().queue_place
    assert place == 1 and 55 < wait <= 60  # when the running training's time limit is up
    place, wait = second.snapshot().queue_place
    assert place == 2 and 85 < wait <= 90  # then the first in line may take its 30 s
    slots.release("someone else")
    assert first.join(timeout=120) and second.join(timeout=120)
    assert first.snapshot().state == "done" and second.snapshot().state == "done"
    assert first.snapshot().queue_place is None and slots.busy == 0


def test_place_in_line_is_unknown_behind_a_training_without_a_time_limit():
    slots = TrainingSlots(1)
    assert slots.acquire("no limit", threading.Event())
    waiting = threading.Thread(target=slots.acquire, args=("me", threading.Event(), lambda: False, 10))
    waiting.start()
    wait_for(lambda: slots.place("me") is not None)
    assert slots.place("me") == (1, None) and slots.place("no limit") is None
    slots.release("no limit")
    waiting.join(timeout=5)
    assert slots.busy == 1 and slots.place("me") is None


def test_a_word_run_is_scored_for_the_table_inside_its_training_slot(small_text, monkeypatch):
    from lstm_poem.measuring import scoring

    slots = TrainingSlots(1)
    seen = []  # (thread, slots busy) at each scoring: the job's own thread, holding its slot
    score = scoring.run_bits_per_char
    monkeypatch.setattr(
        scoring, "run_bits_per_char", lambda *a: seen.append((threading.current_thread(), slots.busy)) or score(*a)
    )
    config = tiny_train_config(epochs=1, seq_len=16)
    job = TrainingJob(corpus_from_text(small_text), tiny_model_config(level="word", max_words=300), config, slots)
    assert job.start().join(timeout=120)
    result = job.snapshot().result
    assert seen == [(job._thread, 1)]
    assert result.table_bits_per_char == score(
        result.poem, job.corpus.text, 16, config.val_fraction, result.val_bits_per_char
    )
    assert result.table_bits_per_char > result.val_bits_per_char  # its unknown words are paid for


def wait_in_line(slots: TrainingSlots, holder: str, group: str | None) -> threading.Thread:
    """``holder`` of ``group`` waits for a slot on a thread of its own."""
    thread = threading.Thread(
        target=slots.acquire, args=(holder, threading.Event()), kwargs={"group": group}, daemon=True
    )
    thread.start()
    return thread


def test_slots_take_turns_by_class_and_no_class_never_cuts_a_lesson():
    slots = TrainingSlots(2, turn_seconds=0.5, stranger_turn_seconds=0.5)
    gave_way: list[str] = []
    for holder in ("stranger 1", "stranger 2"):  # a student in no class took both slots first
        assert slots.acquire(holder, threading.Event(), give_way=lambda holder=holder: gave_way.append(holder))

    class_a = wait_in_line(slots, "class A", "A")
    time.sleep(0.2)
    assert gave_way == [], "nobody gives way before their turn is over"
    wait_for(lambda: gave_way == ["stranger 1"])  # the longest-running, once it has had its turn
    time.sleep(0.5)
    assert gave_way == ["stranger 1"], "one training gives way per waiting class, not every one"
    slots.release("stranger 1")
    class_a.join(timeout=5)
    assert not class_a.is_alive() and slots.busy == 2

    class_b = wait_in_line(slots, "class B", "B")
    wait_for(lambda: gave_way == ["stranger 1", "stranger 2"])  # B holds none: the stranger's other one goes
    slots.release("stranger 2")
    class_b.join(timeout=5)
    assert not class_b.is_alive()

    stranger = wait_in_line(slots, "stranger 3", None)  # now the stranger waits: the classes keep their slots
    time.sleep(1.0)
    assert stranger.is_alive() and slots.place("stranger 3") == (1, None)
    slots.release("class A")
    stranger.join(timeout=5)
    assert not stranger.is_alive() and slots.busy == 2


def test_a_class_holding_every_slot_gives_one_to_another_class_and_a_free_slot_goes_to_the_class_with_fewest():
    slots = TrainingSlots(2, turn_seconds=0.3)
    gave_way: list[str] = []
    for holder in ("A 1", "A 2"):
        assert slots.acquire(holder, threading.Event(), group="A", give_way=lambda h=holder: gave_way.append(h))
    second_of_a = wait_in_line(slots, "A 3", "A")  # arrived first…
    time.sleep(0.1)
    first_of_b = wait_in_line(slots, "B 1", "B")  # …but B holds no slot, so B is served first
    wait_for(lambda: gave_way == ["A 1"])
    slots.release("A 1")
    first_of_b.join(timeout=5)
    assert not first_of_b.is_alive() and second_of_a.is_alive()
    time.sleep(0.5)
    assert gave_way == ["A 1"], "A and B now hold one each: a waiting A makes nobody give way"
    slots.release("A 2")
    second_of_a.join(timeout=5)
    assert not second_of_a.is_alive()


def test_a_training_that_gives_way_ends_with_its_best_weights_and_says_why(small_text):
    slots = TrainingSlots(1, stranger_turn_seconds=0.5)
    stranger = TrainingJob(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=500), slots=slots
    ).start()
    wait_for(lambda: stranger.snapshot().batches, 60)
    lesson = wait_in_line(slots, "a class's training", "ABCDEFGH")
    assert stranger.join(timeout=60), "the stranger's training must give way"
    snapshot = stranger.snapshot()
    assert snapshot.gave_way and not snapshot.abandoned and snapshot.state == "done"
    assert snapshot.result.stop_reason == "user_stop" and snapshot.result.epochs_run < 500
    lesson.join(timeout=5)
    assert not lesson.is_alive() and slots.busy == 1

"""Identical trainings are one training: seats, Stop and Cancel by one of several, what is remembered."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from conftest import tiny_model_config, tiny_train_config
from lstm_poem import limits
from lstm_poem.running.backend import ThreadBackend, TrainingRequest
from lstm_poem.running.job import TrainingJob, TrainingSlots
from lstm_poem.running.sharing import (
    Asker,
    QueueFull,
    TrainingRegistry,
    clean_name,
    shrunk_time_limit,
    training_key,
)
from lstm_poem.text.corpus import corpus_from_text


class CountingBackend(ThreadBackend):
    """Trains on threads as the app does, and counts the trainings it was asked for."""

    submitted = 0

    def submit(self, request: TrainingRequest) -> TrainingJob:
        self.submitted += 1
        return super().submit(request)


@pytest.fixture
def registry():
    backend = CountingBackend()
    made = TrainingRegistry(lambda: backend)
    made.backend = backend
    return made


def request(text: str, **training) -> TrainingRequest:
    return TrainingRequest(corpus_from_text(text, name="ballads"), tiny_model_config(), tiny_train_config(**training))


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_two_identical_requests_train_once_and_give_two_runs_of_the_same_model(registry, small_text):
    first = registry.submit(request(small_text, epochs=2), Asker("a", "CLASS"))
    second = registry.submit(request(small_text, epochs=2), Asker("b", "CLASS"))
    assert registry.backend.submitted == 1 and first.training is second.training
    assert first.snapshot().classmates == 1 and second.snapshot().classmates == 1
    assert first.join(120)
    one, two = first.snapshot(), second.snapshot()
    assert one.state == two.state == "done" and one.result.poem is two.result.poem
    # Finished on its own terms, it is joined again later, with nothing trained.
    third = registry.submit(request(small_text, epochs=2))
    assert registry.backend.submitted == 1 and third.snapshot().result is one.result
    assert len(registry.recent()) == 1


def test_a_different_seed_or_corpus_is_another_training(registry, small_text):
    registry.submit(request(small_text, epochs=1))
    registry.submit(request(small_text, epochs=1, seed=7))
    registry.submit(request(small_text[:3000], epochs=1))
    assert registry.backend.submitted == 3 and len(registry.recent()) == 3
    assert training_key(request(small_text)) != training_key(request(small_text, seed=7))
    for shared in registry.recent():
        assert shared.job.join(120)


def test_one_students_stop_leaves_the_training_running_for_the_other(registry, small_text):
    stays = registry.submit(request(small_text, epochs=500))
    leaves = registry.submit(request(small_text, epochs=500))
    wait_for(lambda: stays.snapshot().batches)
    leaves.stop()
    left = leaves.snapshot()
    assert left.left and not left.running and left.training  # free to train something else
    time.sleep(1.0)
    watched = stays.snapshot()
    assert watched.running and not watched.stop_requested
    # The last one watching stops it for real; both get the best weights so far.
    stays.stop()
    assert stays.join(60)
    assert stays.snapshot().result.stop_reason == "user_stop"
    assert leaves.snapshot().state == "done" and leaves.snapshot().result is stays.snapshot().result
    # A training stopped by hand is not what its settings make: the next request trains anew.
    registry.submit(request(small_text, epochs=500)).cancel()
    assert registry.backend.submitted == 2


def test_cancel_by_one_drops_only_that_run(registry, small_text):
    keeps = registry.submit(request(small_text, epochs=2))
    drops = registry.submit(request(small_text, epochs=2))
    drops.cancel()
    assert drops.snapshot().state == "cancelled" and drops.snapshot().result is None
    assert keeps.join(120) and keeps.snapshot().state == "done"
    assert drops.snapshot().state == "cancelled"


def test_a_training_nobody_watches_any_more_stops_by_itself(small_text):
    backend = CountingBackend()
    registry = TrainingRegistry(lambda: backend)
    one = registry.submit(replace(request(small_text, epochs=500), abandon_after=1.0))
    other = registry.submit(replace(request(small_text, epochs=500), abandon_after=1.0))
    wait_for(lambda: one.snapshot().batches)
    assert one.join(60), "both tabs closed: it must end by itself"
    assert other.snapshot(seen=False).abandoned


def test_finished_trainings_are_kept_within_a_byte_budget(small_text):
    backend = CountingBackend()
    first = TrainingRegistry(lambda: backend).submit(request(small_text, epochs=1, seed=1))
    assert first.join(120)
    poem = first.snapshot().result.poem
    measured = sum(array.nbytes for array in poem.network.get_weights())  # the real arrays, copied out
    assert poem.weight_bytes == measured
    registry = TrainingRegistry(lambda: backend, max_kept_bytes=2 * measured + measured // 2)  # room for two
    for seed in (1, 2, 3):
        assert registry.submit(request(small_text, epochs=1, seed=seed)).join(120)
    assert [shared.job.train_config.seed for shared in registry.recent()] == [2, 3]  # the newest kept
    assert registry.kept_bytes() == 2 * measured <= registry.max_kept_bytes
    registry.keep_seconds = 0.0
    assert registry.recent() == [] and registry.kept_bytes() == 0


class FullBackend(ThreadBackend):
    """Real jobs on a server whose one slot is taken for good: every training waits, and nothing trains."""

    def __init__(self):
        self.slots = TrainingSlots(1)
        self.slots.acquire(object(), threading.Event())
        self.jobs: list[TrainingJob] = []

    def submit(self, request: TrainingRequest) -> TrainingJob:
        job = TrainingJob(request.corpus, request.model_config, request.train_config, slots=self.slots).start()
        self.jobs.append(job)
        return job


@pytest.fixture
def full_backend():
    backend = FullBackend()
    yield backend
    for job in backend.jobs:
        job.cancel()


def test_the_queue_has_a_length_limit_per_group_and_joining_is_never_refused(full_backend, small_text):
    registry = TrainingRegistry(lambda: full_backend, max_queued=3)
    class_a, class_b = Asker(class_code="class A"), Asker(class_code="class B")
    for seed in (1, 2, 3):
        registry.submit(request(small_text, seed=seed), asker=class_a)
    assert registry.waiting("class A") == 3
    with pytest.raises(QueueFull, match="3 trainings are already waiting"):
        registry.submit(request(small_text, seed=4), asker=class_a)
    registry.submit(request(small_text, seed=1), asker=class_a)  # a classmate's identical one: joined
    registry.submit(request(small_text, seed=5), asker=class_b)  # another class has a queue of its own
    assert len(full_backend.jobs) == 4 and registry.waiting("class B") == 1
    with pytest.raises(QueueFull):  # outside a class, the queue is the whole server's
        registry.submit(request(small_text, seed=6))


def test_a_long_queue_shrinks_a_new_trainings_time_limit_and_says_why(full_backend, small_text, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TRAINING_SECONDS", 900)
    monkeypatch.setattr(limits, "QUEUE_SHRINKS_AFTER", 2)
    monkeypatch.setattr(limits, "MIN_SHRUNK_TRAINING_SECONDS", 60)
    assert shrunk_time_limit(900, 2) == 900 and shrunk_time_limit(900, 3) == 600
    assert shrunk_time_limit(45, 3) == 45 and shrunk_time_limit(900, 1000) == 60
    registry = TrainingRegistry(lambda: full_backend, max_queued=10)
    seats = [registry.submit(request(small_text, seed=seed, time_limit=900)) for seed in range(4)]
    assert [seat.training.job.train_config.time_limit for seat in seats] == [900, 900, 900, 600]
    assert seats[2].snapshot().time_note is None
    assert "at most 600 s instead of 900 s" in seats[3].snapshot().time_note


def test_names_are_plain_and_short():
    assert clean_name("  Ada\x00\n Lovelace <b>  ") == "Ada Lovelace <b>"
    assert len(clean_name("x" * 500)) == 40


def test_the_class_board_is_rebuilt_only_when_a_training_moved_on(registry, small_text):
    from lstm_poem.teaching.class_board import ClassBoard, Viewer, verse_line

    board, viewer = ClassBoard(registry), Viewer(class_code="CLASS")
    assert board.view(viewer) == ([], None)
    seat = registry.submit(request(small_text, epochs=2, sample_length=40), Asker("a", "CLASS", "Grace"))
    registry.submit(request(small_text, epochs=2, sample_length=40), Asker("b", "CLASS"))
    assert seat.join(120)
    rows, spec = board.view(viewer)
    rebuilt = board.rebuilds
    assert board.view(viewer) == (rows, spec) and board.rebuilds == rebuilt  # nothing new: the same objects
    (row,) = rows
    assert row.students == 2 and row.names == "Grace" and row.epochs == 2
    assert row.status in ("last epoch", "early stopping") and row.bits_per_char > 0 and spec["layer"]
    assert row.verse == verse_line(seat.snapshot().epochs[-1].sample) and row.verse
    assert verse_line("the prime\n\n  first written line  \nsecond") == "first written line"


def test_with_sharing_off_everyone_trains_their_own(registry, small_text, monkeypatch):
    from lstm_poem import limits

    monkeypatch.setattr(limits, "SHARE_IDENTICAL_TRAININGS", 0)
    seats = [registry.submit(request(small_text, epochs=1)) for _ in range(2)]
    assert registry.backend.submitted == 2 and seats[0].training is not seats[1].training
    assert len(registry.recent()) == 2
    for seat in seats:
        assert seat.join(120)

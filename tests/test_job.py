import threading

from conftest import tiny_model_config, tiny_train_config
from lstm_poem.corpus import corpus_from_text
from lstm_poem.job import TrainingJob, TrainingSlots


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


def test_errors_end_up_in_the_snapshot():
    job = TrainingJob(corpus_from_text("Too short.\n"), tiny_model_config(), tiny_train_config(seq_len=64)).start()
    assert job.join(timeout=60)
    snap = job.snapshot()
    assert snap.state == "failed" and "too short" in snap.error and snap.result is None


def test_a_job_over_the_cap_waits_its_turn_and_can_be_cancelled(small_text):
    slots = TrainingSlots(1)
    assert slots.acquire(threading.Event())  # someone else's training holds the only slot
    corpus = corpus_from_text(small_text)
    waiting = TrainingJob(corpus, tiny_model_config(), tiny_train_config(epochs=1), slots=slots).start()
    cancelled = TrainingJob(corpus, tiny_model_config(), tiny_train_config(epochs=1), slots=slots).start()
    threading.Event().wait(0.5)
    assert waiting.snapshot().state == "queued" and waiting.snapshot().running
    cancelled.stop()
    assert cancelled.join(timeout=5)
    assert cancelled.snapshot().state == "cancelled" and cancelled.snapshot().result is None

    slots.release()
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
    assert slots.acquire(threading.Event())  # another session's training holds the only slot
    queued = TrainingJob(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(), slots=slots, abandon_after=0.5
    )
    queued.start()
    assert queued.join(timeout=30)
    assert queued.snapshot().state == "cancelled" and queued.snapshot().abandoned
    slots.release()

    watched = TrainingJob(
        corpus_from_text(small_text), tiny_model_config(), tiny_train_config(epochs=3), slots=slots, abandon_after=2.0
    )
    watched.start()
    while not watched.join(timeout=0.2):
        watched.snapshot()  # a page polling it
    assert not watched.snapshot().abandoned and watched.snapshot().result.epochs_run == 3

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

"""Hard limits that protect a small shared machine, all in one place.

Every limit can be lowered or raised with an environment variable of the same
name prefixed by ``LSTM_POEM_`` (for example ``LSTM_POEM_MAX_CORPUS_BYTES``),
so a teacher running the app on a laptop can relax them without editing code.
"""

from __future__ import annotations

import functools
import os


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"LSTM_POEM_{name}")
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        return default


# A corpus larger than this is refused (Tiny Shakespeare is 1.1 MB).
MAX_CORPUS_BYTES = _env_int("MAX_CORPUS_BYTES", 10_000_000)
# A model bundle file larger than this is refused before it is opened.
MAX_BUNDLE_BYTES = _env_int("MAX_BUNDLE_BYTES", 64_000_000)
# Models with more trainable numbers than this are refused (about 80 MB of floats).
MAX_PARAMETERS = _env_int("MAX_PARAMETERS", 20_000_000)
# Longest poem one generate call may write, in tokens.
MAX_GENERATE_TOKENS = _env_int("MAX_GENERATE_TOKENS", 5_000)
# Only the last this-many tokens of a very long seed prime the network.
MAX_PRIME_TOKENS = _env_int("MAX_PRIME_TOKENS", 2_000)
# Upper bound on the number of epochs one training may ask for.
MAX_EPOCHS = _env_int("MAX_EPOCHS", 1_000)
# Most temperatures (columns) one generate call may sample at once.
MAX_TEMPERATURES = _env_int("MAX_TEMPERATURES", 16)
# The app stops any training after this many seconds (the command line has no such cap).
MAX_TRAINING_SECONDS = _env_int("MAX_TRAINING_SECONDS", 900)
# A classic corpus download gives up after this long without a byte, or this long in all.
DOWNLOAD_TIMEOUT_SECONDS = _env_int("DOWNLOAD_TIMEOUT_SECONDS", 20)
DOWNLOAD_DEADLINE_SECONDS = _env_int("DOWNLOAD_DEADLINE_SECONDS", 180)
# A training nobody has looked at for this long (its browser tab was closed) stops and frees its slot.
ABANDONED_TRAINING_SECONDS = _env_int("ABANDONED_TRAINING_SECONDS", 90)
# Trainings allowed to run at once in one server process; later ones wait their turn.
MAX_CONCURRENT_TRAININGS = _env_int("MAX_CONCURRENT_TRAININGS", 2)
# Trainings waiting for a slot at once, per class (or for the whole server outside classes); more are refused.
MAX_QUEUED_TRAININGS = _env_int("MAX_QUEUED_TRAININGS", 10)
# With more than this many waiting, a new training's time limit shrinks (down to MIN_SHRUNK_TRAINING_SECONDS),
# so the last in line still waits minutes, not hours.
QUEUE_SHRINKS_AFTER = _env_int("QUEUE_SHRINKS_AFTER", 4)
MIN_SHRUNK_TRAINING_SECONDS = _env_int("MIN_SHRUNK_TRAINING_SECONDS", 60)
# When every slot is taken and a class waits, a training of a group holding more slots gives way after its turn:
# a minute for a class's, less for a training in no class (lstm_poem/running/job.py, TrainingSlots).
CLASS_TURN_SECONDS = _env_int("CLASS_TURN_SECONDS", 60)
STRANGER_TURN_SECONDS = _env_int("STRANGER_TURN_SECONDS", 15)
# Finished trainings the server keeps for classmates to join, by the memory of their models (newest kept first).
MAX_KEPT_TRAINING_BYTES = _env_int("MAX_KEPT_TRAINING_BYTES", 200_000_000)
# Models one session keeps (trained or uploaded; the least recently used is dropped first), and their memory.
MAX_SESSION_MODELS = _env_int("MAX_SESSION_MODELS", 8)
MAX_SESSION_MODEL_BYTES = _env_int("MAX_SESSION_MODEL_BYTES", 100_000_000)
# Memory of every session's own models together, which an uploaded model file may not push past (ten tabs of one
# client each keeping one of the largest files took a server past Community Cloud's 2.7 GB; bench/two_classes.py).
MAX_SERVER_MODEL_BYTES = _env_int("MAX_SERVER_MODEL_BYTES", 600_000_000)
# Memory of the copy check's indexes of texts trained on in sessions (a text leaves once no session uses it).
MAX_COPY_CACHE_BYTES = _env_int("MAX_COPY_CACHE_BYTES", 100_000_000)
# 1: students asking for exactly the same training share one (lstm_poem/running/sharing.py); 0: each trains their own.
SHARE_IDENTICAL_TRAININGS = _env_int("SHARE_IDENTICAL_TRAININGS", 1)
# Classes one server holds at once (lstm_poem/teaching/classroom.py); a teacher beyond them is asked to wait.
MAX_CLASSES = _env_int("MAX_CLASSES", 40)
# Students (browsers) one class takes; later ones are told the class is full.
MAX_CLASS_STUDENTS = _env_int("MAX_CLASS_STUDENTS", 60)
# A class ends, and its code stops working, this long after it started…
CLASS_SECONDS = _env_int("CLASS_SECONDS", 4 * 3600)
# …or once nobody in it has opened a page for this long.
CLASS_IDLE_SECONDS = _env_int("CLASS_IDLE_SECONDS", 3600)


@functools.cache
def _one_blas_thread() -> None:
    """Once per process. The app calls set_tensorflow_defaults on every script run, and repeating the limit on
    a script's thread kept that session's state alive after the thread ended (tests/test_app.py, the closed
    tab), by a reference the garbage collector could not trace."""
    import numpy  # noqa: F401 - loaded first, so that its BLAS library is there to be limited
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def set_tensorflow_defaults() -> None:
    """Quiet, small-CPU-friendly TensorFlow settings; call before TensorFlow is imported.

    One thread per op: a small RNN's matmuls are too small to split, so a small
    machine trains faster this way and keeps a core for everyone else
    (docs/benchmarks.md). But one op runner per training allowed at once: with a
    single runner the process's trainings queue for it and share barely more than
    one core (docs/classroom.md, "A class at once"). Values already set in the
    environment win.

    NumPy's matrix products get one thread too: they write the pretrained models' poems
    (lstm_poem/network/numpy_writer.py), a few thousand numbers at a time, where a second
    thread costs more CPU for no less wait (bench/generate_speed.py, docs/cli.md).
    """
    _one_blas_thread()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(max(MAX_CONCURRENT_TRAININGS, 1)))

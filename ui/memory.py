"""How the server collects garbage with TensorFlow loaded.

Streamlit's default is a full collection after every script and fragment run.
With TensorFlow, Keras and the pretrained models in memory one full collection
walks millions of objects while holding the GIL, and a page polls a training
once or twice a second, so two students' trainings crawled. It is switched off
in ``.streamlit/config.toml`` (``runner.postScriptGC = false``) and replaced by
this policy, which :func:`tend` applies at the top of every script run:

- once the heavy modules are imported (and again each time a shared model
  is first loaded), everything alive is moved to the permanent generation with
  ``gc.freeze()``, so later collections skip the objects that live as long as
  the server;
- a full collection of what remains (sessions' models, finished trainings)
  runs at most once every ``COLLECT_EVERY_SECONDS``, so memory from closed
  sessions is still given back.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

COLLECT_EVERY_SECONDS = 60.0
# Importing these creates most of the long-lived objects; freeze once they are in.
HEAVY_MODULES = ("tensorflow", "keras")


@dataclass
class CollectorState:
    """What the policy has done so far in this server process (read by tests and benchmarks)."""

    frozen_with_heavy_modules: bool = False
    freezes: int = 0
    collections: int = 0
    last_collection: float = 0.0  # time.monotonic() of the last periodic collection
    last_collection_seconds: float = 0.0


STATE = CollectorState(last_collection=time.monotonic())
_LOCK = threading.Lock()


def freeze_long_lived() -> None:
    """Collect once, then freeze everything still alive: from now on collections skip it.

    Call it only when what is alive is meant to live as long as the server
    (imported modules, the shared pretrained models); a session's objects
    frozen by chance at that moment are never collected, which is why this
    runs only a few times per server (the imports, each shared model's first load).
    """
    with _LOCK:
        gc.collect()
        gc.freeze()
        STATE.freezes += 1
    log.info("froze %d long-lived objects", gc.get_freeze_count())


def tend(now: float | None = None) -> None:
    """Apply the policy at the top of a script run; nearly free when there is nothing to do."""
    if not STATE.frozen_with_heavy_modules and all(name in sys.modules for name in HEAVY_MODULES):
        STATE.frozen_with_heavy_modules = True
        freeze_long_lived()
        return
    now = time.monotonic() if now is None else now
    if now - STATE.last_collection < COLLECT_EVERY_SECONDS or not _LOCK.acquire(blocking=False):
        return  # too soon, or another session is collecting right now
    try:
        STATE.last_collection = now
        started = time.perf_counter()
        gc.collect()
        STATE.collections += 1
        STATE.last_collection_seconds = time.perf_counter() - started
    finally:
        _LOCK.release()

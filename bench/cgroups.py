"""Control groups (cgroup v1) for a class benchmark: the server's memory ceiling, the browsers' CPU share.

As root on a machine with the v1 controllers mounted:

- :func:`memory_cgroup` makes ``/sys/fs/cgroup/memory/NAME`` with a limit, so a
  benchmark starts only the server inside it (Community Cloud's ceiling) and
  reads its peak and how often it hit the limit afterwards;
- :func:`cpu_limit_cgroup` makes ``/sys/fs/cgroup/cpu/NAME`` capped at a number of
  cores (a CFS quota per 100 ms period), for the server beside its memory group:
  Community Cloud gives an app a fraction of a core to two cores, shared;
- :func:`cpu_cgroup` makes ``/sys/fs/cgroup/cpu/NAME`` with a small CPU share
  for the browsers that stand in for the students' own computers. Niceness is
  not enough: Chromium resets its renderers to nice 0 and raises its own main
  process to -8, so thirty pages outran the server they were measuring.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MEMORY_ROOT = Path("/sys/fs/cgroup/memory")
CPU_ROOT = Path("/sys/fs/cgroup/cpu")
DEFAULT_SHARES = 1024  # what every process outside a group gets
CFS_PERIOD_US = 100_000  # the quota is CPU time per period: 100,000 us per period is one core
# The browsers' group: a quarter of the server's 1024. At a sixteenth, thirty pages beside two trainings could not
# even draw a finished training's summary within 90 s.
BROWSERS_CPU = ("lstm-poem-class-browsers", 256)


@dataclass(frozen=True)
class MemoryCgroup:
    path: Path

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    def peak_mb(self) -> float:
        return int((self.path / "memory.max_usage_in_bytes").read_text()) / 2**20

    def failcnt(self) -> int:
        return int((self.path / "memory.failcnt").read_text())

    def limit_mb(self) -> float:
        return int((self.path / "memory.limit_in_bytes").read_text()) / 2**20


def unavailable(root: Path = MEMORY_ROOT) -> str | None:
    """Why no group of the controller mounted at ``root`` can be made here, or None."""
    if os.geteuid() != 0:
        return "making a cgroup needs root"
    if not (root / "cgroup.procs").is_file():
        return f"no cgroup v1 controller at {root}"
    return None


@contextlib.contextmanager
def _fresh_group(path: Path, setting: str, value: int) -> Iterator[Path]:
    if path.exists():
        path.rmdir()  # left by an earlier run that was killed; fails loudly if it still has processes
    path.mkdir()
    try:
        (path / setting).write_text(str(value))
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.rmdir()


@contextlib.contextmanager
def memory_cgroup(name: str, limit_bytes: int) -> Iterator[MemoryCgroup]:
    """A fresh memory group limited to ``limit_bytes``, removed on exit (once its processes have ended)."""
    with _fresh_group(MEMORY_ROOT / name, "memory.limit_in_bytes", limit_bytes) as path:
        yield MemoryCgroup(path)


@contextlib.contextmanager
def cpu_cgroup(name: str, shares: int) -> Iterator[Path]:
    """A fresh CPU group with ``shares`` (against 1024 for everything else); yields its ``cgroup.procs``."""
    with _fresh_group(CPU_ROOT / name, "cpu.shares", shares) as path:
        yield path / "cgroup.procs"


@contextlib.contextmanager
def cpu_limit_cgroup(name: str, cpus: float) -> Iterator[Path]:
    """A fresh CPU group capped at ``cpus`` cores (0.5: half a core), removed on exit; yields its ``cgroup.procs``."""
    if not 0.01 <= cpus <= os.cpu_count():
        raise ValueError(f"cpus must be between 0.01 and this machine's {os.cpu_count()}, not {cpus}")
    with _fresh_group(CPU_ROOT / name, "cpu.cfs_period_us", CFS_PERIOD_US) as path:
        (path / "cpu.cfs_quota_us").write_text(str(round(cpus * CFS_PERIOD_US)))
        yield path / "cgroup.procs"


def browsers_cpu_group(stack: contextlib.ExitStack | contextlib.AsyncExitStack) -> Path | None:
    """The browsers' small CPU share (:data:`BROWSERS_CPU`) for the life of ``stack``; None where no group can be
    made (then only their niceness holds them back, which Chromium partly undoes)."""
    return None if unavailable(CPU_ROOT) else stack.enter_context(cpu_cgroup(*BROWSERS_CPU))

"""A cgroup v1 memory group for the server alone: Community Cloud's memory ceiling on this machine.

As root on a machine with the v1 memory controller mounted, this makes
``/sys/fs/cgroup/memory/NAME`` with a limit, so a benchmark can start only the
server inside it and read its peak and how often it hit the limit afterwards.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MEMORY_ROOT = Path("/sys/fs/cgroup/memory")


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


def unavailable() -> str | None:
    """Why no memory group can be made here, or None."""
    if os.geteuid() != 0:
        return "making a memory cgroup needs root"
    if not (MEMORY_ROOT / "cgroup.procs").is_file():
        return f"no cgroup v1 memory controller at {MEMORY_ROOT}"
    return None


@contextlib.contextmanager
def memory_cgroup(name: str, limit_bytes: int) -> Iterator[MemoryCgroup]:
    """A fresh group limited to ``limit_bytes``, removed on exit (once its processes have ended)."""
    group = MemoryCgroup(MEMORY_ROOT / name)
    if group.path.exists():
        group.path.rmdir()  # left by an earlier run that was killed; fails loudly if it still has processes
    group.path.mkdir()
    try:
        (group.path / "memory.limit_in_bytes").write_text(str(limit_bytes))
        yield group
    finally:
        with contextlib.suppress(OSError):
            group.path.rmdir()

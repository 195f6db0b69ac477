"""A private one-machine Ray cluster on loopback, for the tests, the benchmark and trying the Ray backend.

Everything binds to 127.0.0.1 (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``; without
it Ray 2.60 swaps 127.0.0.1 for the machine's interface address), every port is
a free one and the cluster keeps its files in its own temporary folder. Its
processes share one process group, and :meth:`LocalCluster.stop` ends exactly
that group: ``ray stop`` would end every Ray cluster on the machine, other
people's too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def loopback_environment() -> dict[str, str]:
    return {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


class LocalCluster:
    """``ray start --head`` on loopback with ``num_cpus`` CPUs; use as a context manager."""

    def __init__(self, num_cpus: int = 2):
        self.num_cpus = num_cpus
        self.port = free_port()
        self.address = f"{LOOPBACK}:{self.port}"
        self.temp_dir = Path(tempfile.mkdtemp(prefix="lsp-ray-"))  # short: Ray's socket paths must fit 107 bytes
        self._group: int | None = None

    def start(self, timeout: float = 120) -> LocalCluster:
        ray = str(Path(sys.executable).with_name("ray"))
        command = [ray, "start", "--head", f"--node-ip-address={LOOPBACK}", f"--port={self.port}"]
        command += [f"--num-cpus={self.num_cpus}", "--include-dashboard=false", "--disable-usage-stats"]
        command += [f"--ray-client-server-port={free_port()}", f"--dashboard-port={free_port()}"]
        command += [f"--temp-dir={self.temp_dir}"]
        # A new session makes `ray start` lead a process group that every daemon it starts inherits.
        starter = subprocess.Popen(
            command,
            env=loopback_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._group = starter.pid
        try:
            output, _ = starter.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise RuntimeError("ray start did not finish in time") from None
        if starter.returncode != 0:
            self.stop()
            raise RuntimeError(f"ray start failed:\n{output}")
        return self

    def stop(self) -> None:
        """End this cluster's processes (and only them), then remove its folder."""
        if self._group is not None:
            # Nothing of a private cluster outlives it, so a short grace is enough: the raylet and the GCS
            # are slow to finish on SIGTERM, and every test's teardown used to wait for them.
            for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self._group, sig)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline and _group_alive(self._group):
                    time.sleep(0.2)
            self._group = None
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _group_alive(group: int) -> bool:
    """Whether a process of ``group`` still runs (a zombie waiting for its parent to reap it does not)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _parent, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
        if int(process_group) == group and state != "Z":
            return True
    return False

"""A real app server for benchmarks and browser tests: ``streamlit run`` on a free loopback port.

It also reads the server's own CPU time and memory from ``/proc``, so a
benchmark can tell the server's work apart from the browsers' on the same
machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LSTM_POEM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def niced_chromium(folder: Path, niceness: int, cgroup_procs: Path | None = None) -> str:
    """A launcher for Chromium at a lower CPU priority, written into ``folder``.

    The browsers of a benchmark stand in for the students' own computers: run
    beside the server on one machine, they should take only the CPU the server
    leaves, not slow down the trainings being measured. Chromium resets the
    niceness of its own processes, so a benchmark that can also gives it a CPU
    control group of small share (``cgroup_procs``, see bench/cgroups.py).
    """
    launcher = folder / "chromium-niced"
    join = f'echo $$ > "{cgroup_procs}"\n' if cgroup_procs is not None else ""  # every child stays in it
    launcher.write_text(f'#!/bin/sh\n{join}exec nice -n {int(niceness)} "{CHROMIUM}" "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid: int, field: str) -> float:
    """A memory figure of a process from /proc, e.g. "VmRSS" (now) or "VmHWM" (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class ServedApp:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def memory_mb(self, field: str = "VmRSS") -> float:
        return memory_mb(self.pid, field)


def wait_healthy(app: ServedApp, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        if app.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the app did not start:\n" + app.log.read_text())
        time.sleep(0.2)


@contextlib.contextmanager
def served_app(
    env: dict[str, str] | None = None,
    startup_seconds: float = 120,
    cgroup_procs: Path | None = None,
    more_cgroup_procs: tuple[Path, ...] = (),
) -> Iterator[ServedApp]:
    """``streamlit run streamlit_app.py`` with the repository's own config, stopped on exit.

    The server is offline for classics (they point at a dead local mirror) and
    keeps its corpus cache in a temporary folder. With ``cgroup_procs`` (a
    control group's ``cgroup.procs`` file, and ``more_cgroup_procs``, e.g. a CPU
    limit beside a memory limit) the server runs inside those groups from its
    first instruction, and nothing else does.
    """
    with tempfile.TemporaryDirectory(prefix="lstm-poem-server-") as workdir:
        port = free_port()
        log = Path(workdir) / "server.log"
        environment = {
            **os.environ,
            "LSTM_POEM_CACHE_DIR": str(Path(workdir) / "cache"),
            "LSTM_POEM_CORPUS_MIRROR": "http://127.0.0.1:9",  # nothing listens there
            **(env or {}),
        }
        command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        with open(log, "w") as output:
            groups = [path for path in (cgroup_procs, *more_cgroup_procs) if path is not None]

            def join() -> None:
                for procs in groups:
                    procs.write_text(str(os.getpid()))

            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=join if groups else None,
            )
            app = ServedApp(f"http://127.0.0.1:{port}", process, log)
            try:
                wait_healthy(app, startup_seconds)
                yield app
            finally:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                if "Traceback" in log.read_text(errors="replace"):  # the folder goes: keep what went wrong
                    kept = Path(tempfile.gettempdir()) / f"lstm-poem-server-{port}-{int(time.time())}.log"
                    shutil.copyfile(log, kept)
                    print(f"the server logged a traceback; its log is kept in {kept}", flush=True)

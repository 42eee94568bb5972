"""A real ``fashion-core serve`` process on a free local port: the service tests, ``benchmarks/bench_service.py``
and an operator's smoke check start the service the way a shop runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from ..config import PROJECT_ROOT as ROOT


def free_port() -> int:
    """A TCP port nobody listens on now (127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m fashion_core serve`` in a child process; its log (stderr and stdout) goes to ``log_path``."""

    def __init__(self, index: Path, log_path: Path, workers: int = 1, port: int | None = None,
                 env: dict[str, str] | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        cmd = [sys.executable, "-m", "fashion_core", "serve", "--index", str(index), "--port", str(self.port),
               "--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})

    def wait_ready(self, timeout: float = 180.0, streak: int = 6) -> None:
        """Wait until ``/readyz`` answers 200 ``streak`` times in a row (every worker has loaded the index)."""
        deadline, ok = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                ok = ok + 1 if requests.get(self.url + "/readyz", timeout=5).status_code == 200 else 0
            except requests.ConnectionError:
                ok = 0
            if ok >= streak:
                return
            time.sleep(0.25)
        raise TimeoutError(f"the server was not ready in {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """What the server wrote so far."""
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 20 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()

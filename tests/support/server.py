"""Steward served by uvicorn in a child process (its own interpreter, so the test's client does not
share a GIL with the server), and a loopback TCP relay to play a database that refuses or stalls."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import httpx

from tests.support.net import free_port


@contextmanager
def served(env: dict[str, str] | None = None, *, workers_threads: int | None = None) -> Iterator[str]:
    """``uvicorn --factory app.main:create_app`` on a free port, with the test's environment
    (its database) plus ``env``; yields the base URL."""
    port = free_port()
    child_env = {**os.environ, **(env or {})}
    if workers_threads is not None:
        child_env["STEWARD_THREADPOOL_SIZE"] = str(workers_threads)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "app.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=child_env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Relay:
    """A TCP port that refuses (not listening), stalls (accepts, never answers) or forwards."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "refuse"
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()

    def refuse(self) -> None:
        self.mode = "refuse"
        self._close_all()

    def stall(self) -> None:
        self.mode = "stall"
        self._listen()

    def forward(self) -> None:
        self.mode = "forward"
        self._listen()

    def close(self) -> None:
        self._stop.set()
        self._close_all()

    def _close_all(self) -> None:
        if self._listener is not None:
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._listener.close()
            self._listener = None
        for s in self._sockets:
            with suppress(OSError):
                s.close()
        self._sockets.clear()

    def _listen(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self.mode == "forward":
                upstream = socket.create_connection(self.target)
                self._sockets.append(upstream)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()
            # stall: keep the socket open and never answer

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

"""A real server on loopback for the service's tests: uvicorn in a thread (the app built by
create_app in this process) or ``akhlak-levels serve`` in a subprocess; called over HTTP with
the standard library only."""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

try:  # the test modules skip themselves (pytest.importorskip) without the server extra
    import uvicorn
except ImportError:  # pragma: no cover
    uvicorn = None


class Client:
    """JSON over HTTP to one server: ``call`` returns (status, headers, decoded JSON body)."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token = port, token

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = dict(headers or {})
            if self.token is not None:
                sent.setdefault("Authorization", f"Bearer {self.token}")
            data = raw if raw is not None else None if body is None else json.dumps(body).encode()
            if data is not None:
                sent.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, json.loads(payload) if payload else None
        finally:
            conn.close()


def loopback_socket() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1 (handed to uvicorn: no race for the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class ThreadServer:
    """uvicorn serving ``app`` in a thread; the records of the service's and uvicorn's loggers kept."""

    def __init__(self, app: Any):
        self.app = app
        self.sock = loopback_socket()
        self.port = self.sock.getsockname()[1]
        self.records: list[logging.LogRecord] = []
        config = uvicorn.Config(app, access_log=False, log_config=None, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadServer:
        handler = _Keep(self.records)
        self._loggers = [logging.getLogger(n) for n in ("akhlak_levels.server", "uvicorn", "uvicorn.error")]
        for lg in self._loggers:
            lg.addHandler(handler)
            lg.setLevel(logging.INFO)
        self._handler = handler
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()
        for lg in self._loggers:
            lg.removeHandler(self._handler)
        assert not self.thread.is_alive(), "the server did not stop"

    def log_text(self) -> str:
        return "\n".join(r.getMessage() for r in self.records)


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]):
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class CommandServer:
    """``akhlak-levels serve`` in a subprocess on a free loopback port, stopped with SIGINT;
    its log (standard error) read after it stops."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        sock = loopback_socket()
        self.port = sock.getsockname()[1]
        sock.close()  # the command binds it again: a tiny window for another process to take it
        full_env = {k: v for k, v in os.environ.items() if k != "AKHLAK_LEVELS_TOKEN"} | (env or {})
        self.proc = subprocess.Popen([sys.executable, "-m", "akhlak_levels", "serve", "--port", str(self.port), *args],
                                     env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.log = ""

    def wait_ready(self, timeout: float = 60) -> CommandServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}: {self.proc.communicate()[1]}")
            try:
                if Client(self.port).call("GET", "/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("serve did not answer /health in time")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server fails the test, not the run
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError("serve did not stop on SIGINT") from None
        self.log = out + err
        return self.log


@pytest.fixture(scope="module")
def small_limits_server():
    """The bundled questionnaires, no token, small limits (64 KiB bodies, 50 respondents)."""
    from akhlak_levels.server import create_app

    app = create_app(token_env=None, max_body_bytes=64 * 1024, max_batch=50)
    with ThreadServer(app) as server:
        yield server


@pytest.fixture
def client(small_limits_server) -> Client:
    return Client(small_limits_server.port)

"""A small headless-chromium driver for the report tests: the Chrome DevTools Protocol over a
loopback websocket, with nothing but the standard library.

:class:`Browser` starts ``chromium --headless=new`` on a fresh profile with
``--remote-debugging-port=0``, reads the port the browser chose from ``DevToolsActivePort`` in
the profile, and talks to it over one websocket (a minimal RFC 6455 client, :class:`_WebSocket`).
Each :class:`Page` is a target attached with ``flatten=True``, so its commands carry a session
id on the same socket. A page records what a report must never produce: console messages and
uncaught exceptions (``Runtime.consoleAPICalled``, ``Runtime.exceptionThrown``,
``Log.entryAdded``) and failed network requests (``Network.loadingFailed``). Host names resolve
to nothing (``--host-resolver-rules``), so a page that reaches for the network fails at once
and offline, and the failure is recorded.

Every wait has a deadline (:class:`CDPTimeout`), and :meth:`Browser.close` kills the browser's
whole process group, so a test ends by itself whatever the page does.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Seconds for one protocol command, a page load and the browser's start.
TIMEOUT = 30.0

#: A4 in inches (Page.printToPDF takes inches).
A4_INCHES = (8.27, 11.69)


class CDPError(RuntimeError):
    """The browser answered a command with an error, or a script threw."""


class CDPTimeout(TimeoutError):
    """A wait on the browser ran past its deadline."""


def chromium_path() -> str | None:
    """The chromium executable on the PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _WebSocket:
    """A websocket client for the loopback DevTools endpoint: text frames out (masked, as a
    client must), text frames in (fragments joined, pings answered), close on request."""

    def __init__(self, host: str, port: int, path: str, timeout: float) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self._buf = b""
        head = self._read_until(b"\r\n\r\n", time.monotonic() + timeout)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            raise CDPError(f"websocket handshake refused: {status.decode(errors='replace')}")

    def _read_until(self, marker: bytes, deadline: float) -> bytes:
        while marker not in self._buf:
            self._fill(deadline)
        head, self._buf = self._buf.split(marker, 1)
        return head

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CDPTimeout("no answer from the browser before the deadline")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(1 << 20)
        except TimeoutError:
            raise CDPTimeout("no answer from the browser before the deadline") from None
        if not chunk:
            raise CDPError("the browser closed the DevTools connection")
        self._buf += chunk

    def _read_exact(self, n: int, deadline: float) -> bytes:
        while len(self._buf) < n:
            self._fill(deadline)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def send_frame(self, payload: bytes, opcode: int = 0x1) -> None:
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        mask = secrets.token_bytes(4)
        # XOR with the repeated 4-byte mask, done on whole integers rather than byte by byte
        repeated = (mask * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big") if n else b""
        self.sock.sendall(header + mask + masked)

    def recv_text(self, deadline: float) -> str:
        """The next whole text message (continuation frames joined; pings answered)."""
        parts: list[bytes] = []
        while True:
            b0, b1 = self._read_exact(2, deadline)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._read_exact(2, deadline))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._read_exact(8, deadline))
            mask = self._read_exact(4, deadline) if b1 & 0x80 else b""
            payload = self._read_exact(n, deadline)
            if mask:
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            if opcode == 0x9:  # ping
                self.send_frame(payload, 0xA)
                continue
            if opcode == 0x8:
                raise CDPError("the browser closed the DevTools connection")
            if opcode in (0x1, 0x2, 0x0):
                parts.append(payload)
                if b0 & 0x80:
                    return b"".join(parts).decode("utf-8")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.send_frame(b"", 0x8)
        with contextlib.suppress(OSError):
            self.sock.close()


class Browser:
    """One headless chromium on a throw-away profile. Use as a context manager, or call
    :meth:`close` (it kills the browser's process group and removes the profile)."""

    def __init__(self, executable: str | None = None, *, timeout: float = TIMEOUT,
                 window: tuple[int, int] = (1280, 900)) -> None:
        executable = executable or chromium_path()
        if executable is None:
            raise FileNotFoundError("chromium is not installed")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="akhlak-chromium-")
        self._log = open(os.path.join(self.profile, "stderr.log"), "wb")  # noqa: SIM115 - closed in close()
        args = [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--window-size={window[0]},{window[1]}", "about:blank"]
        # its own session: close() kills the renderer and helper processes with the browser
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                        start_new_session=True)
        self._next_id = 0
        self._pages: dict[str, Page] = {}
        self._ws: _WebSocket | None = None
        try:
            port, path = self._wait_for_port(time.monotonic() + timeout)
            self._ws = _WebSocket("127.0.0.1", port, path, timeout)
        except BaseException:
            self.close()
            raise

    def _wait_for_port(self, deadline: float) -> tuple[int, str]:
        marker = Path(self.profile) / "DevToolsActivePort"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CDPError(f"chromium exited with {self.process.returncode}: {self.stderr()[-2000:]}")
            with contextlib.suppress(OSError, ValueError):
                lines = marker.read_text().split("\n")
                if len(lines) >= 2 and lines[1].startswith("/devtools/"):
                    return int(lines[0]), lines[1].strip()
            time.sleep(0.05)
        raise CDPTimeout(f"chromium wrote no DevToolsActivePort within {self.timeout} s")

    def stderr(self) -> str:
        """What the browser wrote on its standard error so far (for failure messages)."""
        with contextlib.suppress(OSError):
            return Path(self.profile, "stderr.log").read_text(errors="replace")
        return ""

    # -- the protocol ---------------------------------------------------------------------
    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        if self._ws is None:
            raise CDPError("the browser is closed")
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send_frame(json.dumps(message).encode())
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            reply = self._read(deadline, f"{method} got no answer")
            if reply.get("id") == ident:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}")
                return reply.get("result", {})

    def _read(self, deadline: float, what: str) -> dict[str, Any]:
        assert self._ws is not None
        try:
            message = json.loads(self._ws.recv_text(deadline))
        except CDPTimeout:
            raise CDPTimeout(what) from None
        if "method" in message:  # an event: hand it to its page now, so nothing is lost
            page = self._pages.get(message.get("sessionId", ""))
            if page is not None:
                page._record(message["method"], message.get("params", {}))
        return message

    def wait_for(self, predicate: Callable[[], bool], deadline: float, what: str) -> None:
        """Read events until ``predicate()`` holds, or raise :class:`CDPTimeout` at ``deadline``."""
        while not predicate():
            self._read(deadline, what)

    # -- pages --------------------------------------------------------------------------------
    def new_page(self) -> Page:
        """A fresh tab, attached, with the Page, Runtime, Log and Network domains on."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        self._pages[session] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        return page

    def close(self) -> None:
        """Kill the browser (its whole process group) and delete its profile; safe to call twice."""
        if self._ws is not None:
            with contextlib.suppress(Exception):
                self._ws.close()
            self._ws = None
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.process.poll() is None:  # the group kill did not reach it: kill the process itself
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:  # noqa: PYI034 - the class is final in use
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab. ``console``, ``exceptions``, ``log`` and ``failed_requests`` fill as the page runs;
    :attr:`errors` gathers everything that counts as an error."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self.console: list[dict[str, str]] = []
        self.exceptions: list[str] = []
        self.log: list[dict[str, str]] = []
        self.failed_requests: list[dict[str, str]] = []
        self.requests: list[str] = []  # the URL of every request the page made, in order
        self._urls: dict[str, str] = {}
        self._loads = 0

    def _record(self, method: str, params: dict[str, Any]) -> None:
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", a.get("type", "")))) for a in params.get("args", []))
            self.console.append({"type": params.get("type", ""), "text": text})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.exceptions.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.log.append({"level": entry.get("level", ""), "source": entry.get("source", ""),
                             "text": entry.get("text", ""), "url": entry.get("url", "")})
        elif method == "Network.requestWillBeSent":
            self._urls[params["requestId"]] = params.get("request", {}).get("url", "")
            self.requests.append(self._urls[params["requestId"]])
        elif method == "Network.loadingFailed":
            self.failed_requests.append({"url": self._urls.get(params.get("requestId", ""), ""),
                                         "error": params.get("errorText", ""),
                                         "blocked": str(params.get("blockedReason", ""))})
        elif method == "Page.loadEventFired":
            self._loads += 1

    def send(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> dict[str, Any]:
        """A command to this page's session."""
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    @property
    def errors(self) -> list[str]:
        """Console errors and assertions, uncaught exceptions and error log entries, as text."""
        out = [f"console.{c['type']}: {c['text']}" for c in self.console if c["type"] in ("error", "assert")]
        out += [f"exception: {e}" for e in self.exceptions]
        out += [f"log {e['source']}: {e['text']} {e['url']}".rstrip() for e in self.log if e["level"] == "error"]
        return out

    def open(self, url: str | os.PathLike[str], *, timeout: float | None = None, settle: float = 0.1) -> None:
        """Go to ``url`` (a path becomes a file:// URL) and wait for its load event, then
        ``settle`` seconds more for late console messages."""
        if not isinstance(url, str) or not re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", url):
            url = Path(url).resolve().as_uri()
        timeout = self.browser.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        loads = self._loads
        reply = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if reply.get("errorText"):
            raise CDPError(f"cannot open {url}: {reply['errorText']}")
        self.browser.wait_for(lambda: self._loads > loads, deadline, f"{url} did not load within {timeout} s")
        # a round trip through the renderer lets the events already queued arrive
        self.evaluate("0")
        if settle:
            end = min(deadline, time.monotonic() + settle)
            with contextlib.suppress(CDPTimeout):
                self.browser.wait_for(lambda: False, end, "settle")

    def evaluate(self, expression: str, *, timeout: float | None = None) -> Any:
        """The value of a JavaScript expression, as JSON (promises awaited); a throw raises
        :class:`CDPError`."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise CDPError(details.get("exception", {}).get("description") or details.get("text", "script error"))
        return reply.get("result", {}).get("value")

    def emulate(self, *, media: str = "", width: int = 0, height: int = 0, mobile: bool = False) -> None:
        """Lay the page out for ``media`` (``"print"``, ``"screen"``; ``""`` the default) in a
        viewport of ``width`` x ``height`` CSS pixels (0, 0: the window), as a phone when
        ``mobile``."""
        self.send("Emulation.setEmulatedMedia", {"media": media})
        if width and height:
            self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                             "mobile": mobile})
        else:
            self.send("Emulation.clearDeviceMetricsOverride")

    def screenshot(self, path: str | os.PathLike[str], *, full_page: bool = True) -> Path:
        """A PNG of the page (the whole page by default) written to ``path``."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        path = Path(path)
        path.write_bytes(data)
        return path

    def print_pdf(self, path: str | os.PathLike[str] | None = None, *, landscape: bool = False) -> bytes:
        """The print layout on A4 (the page's print CSS, backgrounds printed), written to ``path``
        when given; the PDF's bytes."""
        width, height = A4_INCHES
        reply = self.send("Page.printToPDF", {"paperWidth": width, "paperHeight": height, "landscape": landscape,
                                              "printBackground": True, "preferCSSPageSize": False})
        data = base64.b64decode(reply["data"])
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=5)
        self.browser._pages.pop(self.session, None)


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_PAGES_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")


def live_processes(group: int) -> list[int]:
    """The processes of process group ``group`` still running (zombies left for an init that
    does not reap them are dead and not counted), read from /proc."""
    alive = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] not in ("Z", "X"):
                alive.append(int(stat_file.parent.name))
    return alive


def pdf_page_count(data: bytes) -> int:
    """The number of pages of a PDF: its ``/Type /Page`` objects (chromium writes them
    uncompressed), checked against the ``/Count`` of the root ``/Pages`` node when one is found."""
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    pages = len(_PAGE_OBJECT.findall(data))
    counts = [int(a or b) for a, b in _PAGES_COUNT.findall(data)]
    if counts and max(counts) != pages:
        raise ValueError(f"the PDF has {pages} /Page objects but its page tree counts {max(counts)}")
    return pages

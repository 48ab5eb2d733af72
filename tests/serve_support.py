"""A real `okrsite serve` in a subprocess, for the serve tests: start, poll, request raw paths, stop."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
URL_RE = re.compile(r"serving on http://([^/\s]+):(\d+)/")
T = TypeVar("T")


def copy_example(dest: Path) -> Path:
    """The example handbook (content/ + okrsite.yaml) copied, so edits never touch the repo."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copy2(REPO / "okrsite.yaml", dest / "okrsite.yaml")
    return dest


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    e["PYTHONUNBUFFERED"] = "1"
    return e


def wait_for(check: Callable[[], T], timeout: float = 10.0, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class Served:
    """One `okrsite serve SITE` process; its combined output is collected line by line."""

    def __init__(self, site: Path, *args: str, port: int = 0) -> None:
        """Run from the site's parent folder, so diagnostics name files as `SITE/content/…`."""
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "okrsite", "serve", site.name, "--port", str(port), *args],
            cwd=site.parent, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            m = wait_for(lambda: self._match(URL_RE), 20.0, "the 'serving on' line")
        except AssertionError:
            self.stop()
            raise AssertionError("server did not start:\n" + self.output) from None
        self.host, self.port = m.group(1), int(m.group(2))
        self.base = f"http://{self.host}:{self.port}"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def _match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        for line in list(self.lines):
            m = pattern.search(line)
            if m:
                return m
        return None

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        """A request whose path is sent exactly as given (http.client does not normalise `..`)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def get(self, path: str) -> bytes:
        status, _, body = self.request(path)
        assert status == 200, (path, status, body[:200])
        return body

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("/__okrsite/status"))

    def data(self) -> dict[str, Any]:
        return json.loads(self.get("/data.json"))

    def wait_attempt(self, after: int, timeout: float = 10.0, reread: str | None = None) -> dict[str, Any]:
        """The status once a rebuild after attempt `after` (that re-read `reread`, if given) has finished."""
        def done() -> dict[str, Any] | None:
            s = self.status()
            return s if s["attempt"] > after and (reread is None or reread in s.get("reread", [])) else None
        return wait_for(done, timeout, "a rebuild")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._reader.join(5)
        return self.proc.returncode


def edit(path: Path, *pairs: tuple[str, str]) -> None:
    """Replace each (old, new) once, in one write."""
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, f"{old!r} not in {path}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")

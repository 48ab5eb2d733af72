"""The preview's HTTP server: GET/HEAD from the in-memory outputs, nothing else.

Safety comes from the shape, not from checks alone: a request path is turned into
a key of the outputs mapping (`output_key`), and anything that is not a key is a
404. No file is ever opened by the request path; files to copy are opened by the
path the renderer put in the mapping. Suspicious paths (`..`, encoded slashes,
backslashes, NUL, `//`) are refused with 400 before any lookup.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import mimetypes
import shutil
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from okrsite.render import Deferred
from okrsite.serve import reload
from okrsite.serve.reload import Hub, Snapshot

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
}
PORT_TRIES = 20


def content_type(key: str) -> str:
    ext = Path(key).suffix.lower()
    return TYPES.get(ext) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def output_key(raw: str) -> str | None:
    """The outputs key a request path names, or None when the path is malformed or could escape.

    "/" names index.html and "/x/" names x/index.html. Each segment is decoded on its
    own, so an encoded slash cannot join segments and an encoded dot cannot make `..`.
    """
    path = raw.split("#", 1)[0].split("?", 1)[0]
    if not path.startswith("/") or path.startswith("//") or "\\" in path or "\0" in path:
        return None
    parts = path[1:].split("/")
    keep: list[str] = []
    for i, seg in enumerate(parts):
        if seg == "":
            if i == len(parts) - 1:
                break  # a trailing slash
            return None
        try:
            name = unquote(seg, errors="strict")
        except UnicodeDecodeError:
            return None
        if name in (".", "..") or any(c in name for c in "/\\") or any(ord(c) < 32 or ord(c) == 127 for c in name):
            return None
        keep.append(name)
    key = "/".join(keep)
    if not key or path.endswith("/"):
        key = f"{key}/index.html" if key else "index.html"
    return key


def loopback(host: str) -> bool:
    """Whether `host` (an address or a name, IPv6 maybe bracketed) can only mean this machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a Host header, without the port."""
    if header.startswith("["):
        return header[: header.find("]") + 1]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class PreviewServer(ThreadingHTTPServer):
    """One thread per connection, daemon threads: a stuck client never blocks Ctrl-C."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], hub: Hub) -> None:
        self.hub = hub
        self.loopback_only = loopback(address[0])
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that goes away is normal; anything else is one line, never a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"okrsite: request failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


def bind(host: str, port: int, hub: Hub, tries: int = PORT_TRIES) -> PreviewServer:
    """Bind `port`, or the next free one; port 0 lets the system choose."""
    candidates = [0] if port == 0 else range(port, min(port + tries, 65536))
    last: OSError | None = None
    for p in candidates:
        try:
            return PreviewServer((host, p), hub)
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
            last = e
    assert last is not None
    raise last


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "okrsite"
    sys_version = ""
    timeout = 60  # idle keep-alive connections end on their own
    server: PreviewServer

    def setup(self) -> None:
        """No Nagle: a response's headers and body are two writes, and delayed ACKs would add 40 ms."""
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: the terminal is for diagnostics, not access logs."""

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _refuse_method(self) -> None:
        self._send(405, b"only GET and HEAD\n", "text/plain; charset=utf-8", head=False, extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    def _send(self, status: int, body: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _respond(self, head: bool) -> None:
        hosts = self.headers.get_all("Host") or ["localhost"]
        if self.server.loopback_only and (len(hosts) > 1 or not loopback(host_name(hosts[0]))):
            self._send(403, b"okrsite serve answers to localhost only\n", "text/plain; charset=utf-8", head)
            return
        path = self.path.split("?", 1)[0]
        if path.startswith(reload.PREFIX):
            self._internal(path, head)
            return
        key = output_key(self.path)
        if key is None:
            self._send(400, b"bad path\n", "text/plain; charset=utf-8", head)
            return
        snap = self.server.hub.current
        if snap.outputs is None:  # no good build yet: every page shows the diagnostics
            self._send(503, reload.error_page(snap.errors, snap.build_id), TYPES[".html"], head)
            return
        try:  # outputs an edit changed are made now, the first time they are asked for
            self._lookup(key, path, snap, head)
        except Exception as e:  # a bug in a stage: one line, in the terminal and on the page
            line = f"internal error while making {key}: {type(e).__name__}: {e} (please report this)"
            print(f"okrsite: {line}", file=sys.stderr, flush=True)
            self._send(500, reload.error_page((line,), snap.build_id), TYPES[".html"], head)

    def _lookup(self, key: str, path: str, snap: Snapshot, head: bool) -> None:
        assert snap.outputs is not None
        data = snap.outputs.get(key)
        if data is None:
            if not path.endswith("/") and f"{key}/index.html" in snap.outputs:
                self._send(301, b"", "text/plain; charset=utf-8", head, {"Location": path + "/"})
                return
            self._send_output(404, "404.html", snap, head, fallback=b"not found\n")
            return
        self._send_output(200, key, snap, head)

    def _send_output(self, status: int, key: str, snap: Snapshot, head: bool, fallback: bytes = b"") -> None:
        assert snap.outputs is not None
        data = snap.outputs.get(key)
        if data is None:
            self._send(status, fallback, "text/plain; charset=utf-8", head)
            return
        ctype = content_type(key)
        if isinstance(data, Deferred):
            data = data()
        if isinstance(data, Path):
            self._send_file(status, data, ctype, head)
            return
        if ctype.startswith("text/html"):
            data = reload.inject(data, snap.build_id)
        self._send(status, data, ctype, head)

    def _send_file(self, status: int, path: Path, ctype: str, head: bool) -> None:
        """A file the renderer listed (theme asset, linked attachment), opened by that path."""
        try:
            f = path.open("rb")
        except OSError:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head)
            return
        with f:
            size = path.stat().st_size
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                shutil.copyfileobj(f, self.wfile)

    def _internal(self, path: str, head: bool) -> None:
        hub = self.server.hub
        if path == reload.CLIENT:
            self._send(200, reload.CLIENT_JS, TYPES[".js"], head)
        elif path == reload.STATUS:
            snap = hub.current
            body = dict(snap.status, build_id=snap.build_id, errors=list(snap.errors))
            self._send(200, json.dumps(body, ensure_ascii=False).encode(), TYPES[".json"], head)
        elif path == reload.EVENTS and not head:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            with contextlib.suppress(ConnectionError, TimeoutError, ValueError):  # the page went away
                reload.stream(self.wfile, hub)
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head)

"""`okrsite serve`: build once, serve from memory, rebuild on edits and reload open pages.

The pieces are small on purpose: `state` (incremental rebuilds), `recompute` (compute
keeping unchanged pages' results), `outputs` (rendering: the edited page before the
reload, the rest when first asked for), `app` (one rebuild, published and reported),
`http` (serving the outputs mapping), `reload` (SSE and the injected client), `watch`
(watchfiles on background threads). This module only wires them together and owns
the process: signals, startup, shutdown.
"""

from __future__ import annotations

import signal
import sys
import threading
import webbrowser
from datetime import date
from pathlib import Path

from okrsite.serve.app import Preview
from okrsite.serve.http import bind, loopback
from okrsite.serve.watch import Watcher, data_dirs

EXIT_OK, EXIT_USAGE = 0, 2


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def serve(root: Path, display_root: str, *, host: str = "127.0.0.1", port: int = 8000,
          today: date | None = None, open_browser: bool = False) -> int:
    """Serve until Ctrl-C or SIGTERM; 0 on a clean stop, 2 when the address cannot be bound.

    Call from the main thread (signals): the CLI does.
    """
    preview = Preview(root, display_root, today)
    stop = threading.Event()

    def on_change(paths: set[Path]) -> None:
        preview.rebuild(paths)
        watcher.set_dirs(data_dirs(preview.state.root, preview.state.data_files()))

    watcher = Watcher(root, on_change)
    server = None
    thread = threading.Thread(name="okrsite-http", daemon=True)
    # while starting, SIGTERM interrupts like Ctrl-C; once serving, both just ask the main loop to stop
    previous = {s: signal.signal(s, signal.default_int_handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.start()  # before the first build: an edit made while it runs makes a rebuild
        on_change(set())
        server = bind(host, port, preview.hub)
        url = _announce(host, port, server.server_address[1])
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                  name="okrsite-http", daemon=True)
        thread.start()
        for s in previous:
            signal.signal(s, lambda *_: stop.set())
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    except OSError as e:
        _say(f"okrsite: error: cannot serve on {host}:{port}: {e.strerror or e}")
        return EXIT_USAGE
    finally:
        preview.hub.close()  # ends every event stream
        if server is not None:
            if thread.is_alive():
                server.shutdown()
                thread.join(5.0)
            server.server_close()
        watcher.stop()  # waits for a running rebuild
        for s, handler in previous.items():
            signal.signal(s, handler)
    _say("okrsite: stopped")
    return EXIT_OK


def _announce(host: str, port: int, bound: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    if port and bound != port:
        _say(f"okrsite: port {port} in use; serving on {url} (Ctrl-C to stop)")
    else:
        _say(f"okrsite: serving on {url} (Ctrl-C to stop)")
    if not loopback(host):
        _say(f"okrsite: warning: {host} is reachable from other machines; the preview has no access control")
    return url

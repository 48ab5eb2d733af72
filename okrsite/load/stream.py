"""Chunks of work done by forked workers and streamed back as each is done.

Loading splits into a part that parallelises (reading files, parsing front matter: most of the
time) and a part that must happen here (making the pages, parsing bodies: their objects would
cost more to send than to make). Workers take chunks from a shared counter and send each result
down their own pipe as soon as it is ready; this process uses every result on arrival and, when
none is waiting, takes a chunk itself. So both halves overlap, and no core waits for a share.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
from collections.abc import Callable
from typing import Any

from okrsite.parallel import Counter, run_forked

_HEADER = 8  # bytes: the length of the pickled result that follows


def stream_chunks(total: int, jobs: int, size: int, work: Callable[[range], Any], use: Callable[[Any], None],
                  here: Callable[[range], None]) -> None:
    """Cover `range(total)` in chunks of `size`: `jobs - 1` forked workers each run `work(chunk)` and
    this process calls `use(result)` for it; chunks this process takes go to `here(chunk)`.

    Raises `WorkerFailed` (from run_forked) when a worker raises, exits or is killed.
    """
    counter = Counter()
    pipes = [os.pipe() for _ in range(jobs - 1)]
    open_fds = {fd for pair in pipes for fd in pair}

    def take() -> range | None:
        start = counter.take() * size
        return range(start, min(start + size, total)) if start < total else None

    def close(fd: int) -> None:
        if fd in open_fds:
            open_fds.discard(fd)
            os.close(fd)

    def task(worker: int) -> None:
        if worker:  # a forked worker: only its own write end stays open
            wfd = pipes[worker - 1][1]
            for fd in list(open_fds - {wfd}):
                close(fd)
            _widen(wfd)
            while (chunk := take()) is not None:
                _send(wfd, pickle.dumps(work(chunk), protocol=pickle.HIGHEST_PROTOCOL))
            close(wfd)
            return
        for _, wfd in pipes:  # here: a worker's pipe then ends (reads as empty) exactly when the worker does
            close(wfd)
        readers = [rfd for rfd, _ in pipes]
        more = True
        while readers or more:
            ready = select.select(readers, [], [], 0 if more else None)[0] if readers else []
            for rfd in ready:
                data = _receive(rfd)
                if data is None:  # finished (or died: run_forked says how)
                    readers.remove(rfd)
                    close(rfd)
                else:
                    use(pickle.loads(data))
            if not ready and more:
                chunk = take()
                if chunk is None:
                    more = False
                else:
                    here(chunk)

    try:
        run_forked(jobs, task)
    finally:
        for fd in list(open_fds):
            with contextlib.suppress(OSError):
                close(fd)


def _widen(fd: int) -> None:
    """A pipe as large as Linux allows (1 MiB by default), so a worker seldom waits for this process to read."""
    with contextlib.suppress(ImportError, OSError, AttributeError):
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)


def _send(fd: int, payload: bytes) -> None:
    view = memoryview(len(payload).to_bytes(_HEADER, "little") + payload)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> bytes | None:
    """One whole result, or None when the pipe has ended (a cut-off result counts as ended)."""
    header = _read_exactly(fd, _HEADER)
    if header is None:
        return None
    return _read_exactly(fd, int.from_bytes(header, "little"))


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)

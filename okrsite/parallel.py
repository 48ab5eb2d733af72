"""Forked worker processes, for the stages that parallelise: each takes a share, returns a small result.

Plain `os.fork` rather than `multiprocessing`: the children inherit the loaded,
validated and computed handbook as it is (nothing is pickled on the way in, and
`gc.freeze()` keeps the collector from touching, and so copying, the inherited
objects), and the parent can tell a crash (a signal, a non-zero exit) from a
result without a pool that hangs when a child dies. Children ignore Ctrl-C and die
with the parent (PR_SET_PDEATHSIG), so an interrupted build leaves no orphans.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any


class WorkerFailed(Exception):
    """A worker crashed or raised: the build fails as a whole and the previous output stays."""


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's among them
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _child(index: int, task: Callable[[int], Any], wfd: int) -> None:
    """Run in the forked child: never returns, never runs the parent's atexit handlers."""
    code = 0
    try:
        _die_with_parent()  # Ctrl-C is ignored here (see run_forked): the parent handles it and ends us
        payload = pickle.dumps(("ok", task(index)), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as e:  # reported to the parent as one line; the full trace only on request
        detail = traceback.format_exc() if os.environ.get("OKRSITE_DEBUG") else ""
        payload = pickle.dumps(("error", f"{type(e).__name__}: {e}", detail))
        code = 1
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(wfd, view):]
        os.close(wfd)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _spawn(index: int, task: Callable[[int], Any], close: list[int] | None = None) -> tuple[int, int]:
    """Fork a child that runs `task(index)` (`_child`) after closing the fds in `close`; returns its pid
    and the read end of its pipe. Ctrl-C is held back across the fork: a child must not see it before
    it ignores it."""
    rfd, wfd = os.pipe()
    pid = -1
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's side is measured through its result
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.close(rfd)
            for fd in close or ():
                os.close(fd)
            _child(index, task, wfd)
    finally:
        if pid != 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.close(wfd)
    return pid, rfd


class Counter:
    """A number shared by forked processes: each `take()` hands out the next one, to exactly one process.

    Workers pull chunks of work by number instead of taking fixed shares, so a slow
    chunk (a big index page) or the parent's own extra work does not leave a core idle.
    """

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._value = ctx.RawValue("q", 0)
        self._lock = ctx.Lock()

    def take(self) -> int:
        with self._lock:
            n = self._value.value
            self._value.value = n + 1
            return n


def run_forked(count: int, task: Callable[[int], Any], here: Callable[[], Any] | None = None) -> tuple[list[Any], Any]:
    """`[task(0), …, task(count - 1)]` and `here()`: tasks 1 … count-1 each in a forked child, while
    this process runs `here()` and then `task(0)` itself (a worker more would only be another copy
    of the inherited pages in memory); with `count` 1 everything runs here, one after the other.

    Raises `WorkerFailed` when a child raises, exits non-zero or is killed; on any
    exception in the parent (Ctrl-C included) every child is killed and reaped first.
    """
    if count <= 1:
        mine = here() if here else None
        return [task(0)], mine
    sys.stdout.flush()
    sys.stderr.flush()
    frozen_before = gc.get_freeze_count()  # a model frozen to live to the end of the run (build.check) stays so
    gc.collect()
    gc.freeze()  # inherited objects stay out of the children's collections: their pages stay shared
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    try:
        for i in range(1, count):
            children.append(_spawn(i, task, [other for _, other in children]))
        mine = here() if here else None
        results, failures = [task(0)], []
        for i, (pid, rfd) in enumerate(children):
            data = _read_all(rfd)
            os.close(rfd)
            _, status = os.waitpid(pid, 0)
            children[i] = (0, -1)
            message = _failure(i + 1, status, data)
            if message:
                failures.append(message)
            else:
                results.append(pickle.loads(data)[1])
        if failures:
            raise WorkerFailed(failures[0])
        return results, mine
    finally:
        for pid, rfd in children:
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(pid, 0)
            if rfd >= 0:
                with contextlib.suppress(OSError):
                    os.close(rfd)
        if not frozen_before:
            gc.unfreeze()


class Background:
    """A child forked now that waits for `go(arg)`, then runs `task(arg)` while this process goes on:
    `result()` joins it, `stop()` kills it.

    For work that fills a core the parent's serial stages leave idle (build.py: the inputs'
    fingerprint and the compiled theme, made while validation runs). The child is forked
    before the parent loads the handbook, on purpose: a child forked later shares the
    loaded pages, and every one the parent then writes (a reference count is a write) is
    first copied; validation ran 0.3-0.8 s slower at 10,000 objectives. The child ignores
    Ctrl-C and dies with the parent, like run_forked's; a failure is `WorkerFailed` with one
    line, raised by `result()`.
    """

    def __init__(self, task: Callable[[Any], Any], label: str) -> None:
        self.label = label
        sys.stdout.flush()
        sys.stderr.flush()
        go_read, go_write = os.pipe()

        def wait_then_run(_: int) -> Any:  # pragma: no cover - runs in the child
            data = _read_all(go_read)
            if not data:  # the parent went on without it
                os._exit(0)
            return task(pickle.loads(data))

        self._pid, self._rfd = _spawn(1, wait_then_run, [go_write])
        os.close(go_read)
        self._go = go_write

    def go(self, arg: Any) -> None:
        """Start the task on `arg` (pickled to the child: keep it small)."""
        view = memoryview(pickle.dumps(arg, protocol=pickle.HIGHEST_PROTOCOL))
        try:
            while view:
                view = view[os.write(self._go, view):]
        except OSError:  # the child is gone: result() says how
            pass
        self._close_go()

    def _close_go(self) -> None:
        if self._go >= 0:
            with contextlib.suppress(OSError):
                os.close(self._go)
            self._go = -1

    def result(self) -> Any:
        if not self._pid:
            raise WorkerFailed(f"{self.label} was stopped")
        self._close_go()
        try:
            data = _read_all(self._rfd)
            _, status = os.waitpid(self._pid, 0)
        finally:
            self._pid = 0
            os.close(self._rfd)
        message = _failure(1, status, data)
        if message:
            raise WorkerFailed(message.replace("build worker 1", self.label, 1))
        return pickle.loads(data)[1]

    def stop(self) -> None:
        """Kill and reap the child if it still runs (a refused build, Ctrl-C): no orphan, no zombie."""
        self._close_go()
        if not self._pid:
            return
        pid, self._pid = self._pid, 0
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            os.close(self._rfd)


def _failure(index: int, status: int, data: bytes) -> str | None:
    """None for a good result, else one line saying what went wrong with worker `index` (1, 2, …)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return f"build worker {index} was killed by {name}"
    try:
        result = pickle.loads(data) if data else None
    except Exception:
        result = None
    if isinstance(result, tuple) and result and result[0] == "error":
        if len(result) > 2 and result[2]:
            sys.stderr.write(result[2])
        return f"build worker {index} failed: {result[1]}"
    if os.WEXITSTATUS(status) != 0 or not (isinstance(result, tuple) and result and result[0] == "ok"):
        return f"build worker {index} exited with status {os.WEXITSTATUS(status)} before finishing"
    return None

"""Run a command and measure it the same way whatever the tool: wall time, CPU time and memory of its process tree.

Memory is the peak, over samples every ~50 ms, of the summed `Pss:` of every live
process in the tree (`/proc/PID/smaps_rollup`): forked workers are memory too, and
PSS splits the pages they share copy-on-write with their parent, so the sum counts
each page once. A peak shorter than the interval can be missed; that error is the
same for every tool. CPU time is user+sys of the command and of every descendant
it waited for (the rusage `wait4` returns), so worker processes and threads count.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

INTERVAL_S = 0.05


@dataclass(slots=True)
class Sample:
    """One run of one command."""

    exit: int
    wall_s: float
    cpu_s: float
    peak_pss_mib: float | None  # None for a run measured without the sampler (a timed run)
    max_rss_mib: float  # ru_maxrss: the largest single process of the tree, for comparison with PSS
    most_processes: int  # the most processes seen alive at once
    samples: int
    sampler_cpu_s: float  # what the sampling itself cost (walking /proc is not free): same sampler, every tool
    output: str  # stdout and stderr, interleaved

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _children_by_ppid() -> dict[int, list[int]]:
    """Every process's children, from /proc/*/stat (this kernel may lack /proc/PID/task/TID/children)."""
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes()
        except OSError:  # it exited while we looked
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])  # the command name may hold spaces and parentheses
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(root: int) -> list[int]:
    """`root` and all its live descendants."""
    kids = _children_by_ppid()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(kids.get(pid, ()))
    return found


def pss_kib(pid: int) -> int:
    """The process's proportional set size, 0 once it has gone (or is a zombie)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _Watch(threading.Thread):
    """Samples the tree's summed PSS until told to stop; the main thread meanwhile blocks in wait4."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(name="pss-sampler", daemon=True)
        self.root, self.interval = root, interval
        self.stop = threading.Event()
        self.peak_kib = self.most = self.samples = 0
        self.cpu_s = 0.0

    def run(self) -> None:
        t0 = time.thread_time()
        while not self.stop.is_set():
            pids = tree(self.root)
            total = sum(pss_kib(p) for p in pids)
            self.peak_kib = max(self.peak_kib, total)
            self.most = max(self.most, len(pids))
            self.samples += 1
            self.stop.wait(self.interval)
        self.cpu_s = time.thread_time() - t0


def measure(cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            interval: float = INTERVAL_S, sample: bool = True) -> Sample:
    """Run `cmd` to its end and measure it (output to a file, not a pipe, so a chatty tool never blocks).

    With `sample` False nothing watches it while it runs: its wall and CPU time are its own
    (walking /proc and reading every process's smaps_rollup costs a quarter of a core at
    10,000 objectives, taken from the tool on a two-core machine); its peak memory is None.

    The file system's pending writes are flushed first (`sync`), untimed: a tool that
    writes hundreds of MB leaves them to the kernel, and whichever command runs next
    would otherwise pay for them (on this kind of disk, creating a file then takes
    ten times as long while the previous tool's output and deletions are written out).
    """
    os.sync()
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        watch = _Watch(proc.pid, interval)
        if sample:
            watch.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: leave no orphan behind
            proc.kill()
            proc.wait()
            raise
        finally:
            wall = time.perf_counter() - t0
            watch.stop.set()
            if sample:
                watch.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen so it does not wait again
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Sample(exit=proc.returncode, wall_s=round(wall, 3), cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
                  peak_pss_mib=round(watch.peak_kib / 1024, 1) if sample else None,
                  max_rss_mib=round(usage.ru_maxrss / 1024, 1),
                  most_processes=watch.most, samples=watch.samples, sampler_cpu_s=round(watch.cpu_s, 3), output=text)

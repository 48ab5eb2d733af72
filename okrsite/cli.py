"""Command line: parse arguments, call the pipeline, print, set the exit status. Nothing else."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import sys
from datetime import date
from pathlib import Path

from okrsite import __version__
from okrsite.diagnostics import render as render_diagnostics
from okrsite.load.fields import iso_date

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad command line, missing SITE or refused output: exit 2 before anything is touched."""


def _site(arg: str) -> Path:
    root = Path(arg)
    if not root.is_dir():
        raise UsageError(f"site folder '{arg}' not found")
    if not (root / "content").is_dir():
        raise UsageError(f"'{arg}' has no content/ folder (run 'okrsite init {arg}' to start a handbook)")
    return root


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return iso_date(text)
    except ValueError as e:
        raise UsageError(f"--today '{text}' is not a date (YYYY-MM-DD)") from e


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 1 <= n <= 256:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of workers from 1 to 256")
    return n


def _print_report(build, fmt: str) -> None:  # noqa: ANN001
    sys.stdout.write(render_diagnostics(build.diagnostics, fmt, build.pages))


def cmd_check(args: argparse.Namespace) -> int:
    from okrsite.build import check, default_jobs
    from okrsite.parallel import WorkerFailed

    try:
        build = check(_site(args.site), args.site, _as_of(args.today), args.jobs or default_jobs(), results=False)
    except WorkerFailed as e:
        print(f"okrsite: error: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    _print_report(build, args.format)
    return EXIT_ERRORS if build.failed(args.strict) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from okrsite.build import check, default_jobs, history, prepare, publish
    from okrsite.parallel import WorkerFailed
    from okrsite.write.output import refuse_reason

    root = _site(args.site)
    out = Path(args.out) if args.out else root / "_site"
    reason = refuse_reason(root, out, args.force)
    if reason:
        raise UsageError(reason)
    jobs = args.jobs or default_jobs()
    try:
        build = check(root, args.site, _as_of(args.today), jobs, meanwhile=prepare if jobs > 1 else None)
    except WorkerFailed as e:
        print(f"okrsite: error: {e}; {out} left as it was", file=sys.stderr)
        return EXIT_INTERNAL
    try:
        _print_report(build, args.format)
        if build.failed(args.strict):
            print(f"okrsite: build refused; {out} left as it was", file=sys.stderr)
            return EXIT_ERRORS
        if not args.no_history:
            history(build)
            for note in build.notes:
                print(f"okrsite: note: {note}", file=sys.stderr)
        publish(build, out, jobs, precompress=args.precompress)
    except WorkerFailed as e:
        print(f"okrsite: error: {e}; {out} left as it was", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        build.stop()
    t, w = build.timings, build.written
    stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in t.items())
    assert w is not None
    print(f"okrsite: {w.files} files in {out}: {w.written} written, {w.kept} unchanged; {w.rendered} pages "
          f"rendered by {w.jobs} worker{'s' if w.jobs != 1 else ''}"
          f"{f'; {w.compressed} compressed' if args.precompress else ''} ({stages})", file=sys.stderr)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from okrsite.review.gitrev import GitError
    from okrsite.review.report import as_json, markdown
    from okrsite.review.sides import review

    root = _site(args.site) if args.rev2 is None else Path(args.site)
    if not root.is_dir():
        raise UsageError(f"site folder '{args.site}' not found")
    try:
        diff = review(root, args.site, args.rev, args.rev2, _as_of(args.today))
    except GitError as e:
        raise UsageError(str(e)) from e
    sys.stdout.write(as_json(diff) if args.format == "json" else markdown(diff))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from okrsite.serve import serve

    return serve(_site(args.site), args.site, host=args.host, port=args.port, today=_as_of(args.today),
                 open_browser=args.open)


def cmd_init(args: argparse.Namespace) -> int:
    from okrsite.starter import init

    target = Path(args.dir)
    problem = init(target)
    if problem:
        raise UsageError(problem)
    print(f"okrsite: wrote a starter handbook to {target}; next: okrsite serve {args.dir}", file=sys.stderr)
    return EXIT_OK


def _date(text: str | None, flag: str) -> date:
    try:
        return date.today() if text is None else iso_date(text)
    except ValueError as e:
        raise UsageError(f"{flag} '{text}' is not a date (YYYY-MM-DD)") from e


def _edit(args: argparse.Namespace, call) -> int:  # noqa: ANN001 - call: Options -> Report
    """Run one of okrsite.edit's commands: a refused edit exits 1, a bad argument 2."""
    from okrsite.edit.commands import Options
    from okrsite.edit.errors import BadArgument, EditError

    opts = Options(_site(args.site), args.site, _as_of(args.today), args.dry_run, args.strict)
    try:
        report = call(opts)
    except BadArgument as e:
        raise UsageError(str(e)) from e
    except EditError as e:
        print(f"okrsite: error: {e}", file=sys.stderr)
        return EXIT_ERRORS
    sys.stdout.write(report.out)
    sys.stderr.write(report.err)
    return report.code


def cmd_checkin(args: argparse.Namespace) -> int:
    from okrsite.edit.commands import checkin

    when = _date(args.date, "--date")
    return _edit(args, lambda o: checkin(o, args.key_result, args.value, when, args.confidence, args.note))


def cmd_measure(args: argparse.Namespace) -> int:
    from okrsite.edit.commands import measure

    when = _date(args.date, "--date")
    return _edit(args, lambda o: measure(o, args.kpi, args.value, when, args.note))


def cmd_new(args: argparse.Namespace) -> int:
    from okrsite.edit.commands import new

    return _edit(args, lambda o: new(o, args.kind, args.id, args.title, args.cycle, args.unit, args.source))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="okrsite", description="Static sites for OKR handbooks.")
    p.add_argument("--version", action="version", version=f"okrsite {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("site", nargs="?", default=".", metavar="SITE", help="the handbook folder (default: .)")
        sp.add_argument("--today", metavar="DATE", help="judge progress at DATE when okrsite.yaml sets no as_of")

    def reporting(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--strict", action="store_true", help="warnings fail too")
        sp.add_argument("--format", choices=("text", "json", "github", "gitlab"), default="text",
                        help="diagnostics as compiler lines, a JSON list, GitHub annotations or a GitLab "
                             "code quality report")

    def jobs(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                        help="worker processes (default: one per CPU); the result is the same for any N")

    sp = sub.add_parser("check", help="validate the handbook")
    common(sp)
    reporting(sp)
    jobs(sp)
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("build", help="validate, then write the static site")
    common(sp)
    reporting(sp)
    sp.add_argument("--out", metavar="DIR", help="output folder (default: SITE/_site)")
    sp.add_argument("--force", action="store_true", help="replace a non-empty folder okrsite did not write")
    jobs(sp)
    sp.add_argument("--no-history", action="store_true",
                    help="leave git out: no History sections, revisions, last-updated dates or revisions in the feed")
    sp.add_argument("--precompress", action="store_true",
                    help="also write .gz (and .br with the brotli package) beside every text file over 1 KiB")
    sp.set_defaults(func=cmd_build)

    sp = sub.add_parser("diff", help="what a change does to the goals, as Markdown for a pull request")
    sp.add_argument("rev", metavar="REV", help="the revision to compare from (a branch, tag or commit)")
    sp.add_argument("rev2", nargs="?", metavar="REV2", help="the revision to compare to (default: the working tree)")
    sp.add_argument("--site", default=".", metavar="SITE", help="the handbook folder (default: .)")
    sp.add_argument("--format", choices=("markdown", "json"), default="markdown",
                    help="a pull-request comment (default) or JSON")
    sp.add_argument("--today", metavar="DATE",
                    help="judge progress at DATE when the newer side's okrsite.yaml sets no as_of")
    sp.set_defaults(func=cmd_diff)

    sp = sub.add_parser("serve", help="preview with live reload")
    common(sp)
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port (default: 8000; the next free one if taken)")
    sp.add_argument("--open", action="store_true", help="open the site in a browser")
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("init", help="write a starter handbook")
    sp.add_argument("dir", metavar="DIR")
    sp.set_defaults(func=cmd_init)

    def editing(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--site", default=".", metavar="SITE", help="the handbook folder (default: .)")
        sp.add_argument("--today", metavar="DATE", help="judge progress at DATE when okrsite.yaml sets no as_of")
        sp.add_argument("--dry-run", action="store_true", help="print the change as a diff; write nothing")
        sp.add_argument("--strict", action="store_true", help="refuse a change that adds a warning too")

    sp = sub.add_parser("checkin", help="add a check-in to a key result, validated, every other byte kept")
    sp.add_argument("key_result", metavar="OBJECTIVE/KR")
    sp.add_argument("value", nargs="?", metavar="VALUE", help="the value observed (optional on a milestone)")
    sp.add_argument("--date", metavar="DATE", help="when it was observed (default: today)")
    sp.add_argument("--confidence", metavar="C", help="confidence that the key result will be met, 0 to 1")
    sp.add_argument("--note", metavar="TEXT", help="what changed")
    editing(sp)
    sp.set_defaults(func=cmd_checkin)

    sp = sub.add_parser("measure", help="add a measurement to a KPI, inline or in its CSV file")
    sp.add_argument("kpi", metavar="KPI")
    sp.add_argument("value", metavar="VALUE")
    sp.add_argument("--date", metavar="DATE", help="when it was measured (default: today)")
    sp.add_argument("--note", metavar="TEXT", help="a note (inline, or a CSV file's note column)")
    editing(sp)
    sp.set_defaults(func=cmd_measure)

    sp = sub.add_parser("new", help="write a page skeleton that checks clean, or carry an objective on")
    sp.add_argument("kind", choices=("objective", "kpi", "unit", "page"), metavar="objective|kpi|unit|page")
    sp.add_argument("id", metavar="ID")
    sp.add_argument("--title", help="the title (default: from the id)")
    sp.add_argument("--cycle", help="an objective's cycle (default: the current one; with --from, the next)")
    sp.add_argument("--unit", metavar="ORG_UNIT", help="the owning org unit (for a unit: its parent)")
    sp.add_argument("--from", dest="source", metavar="OLD",
                    help="carry objective OLD into --cycle: same title, unit, owner, parent and KPIs")
    editing(sp)
    sp.set_defaults(func=cmd_new)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # A build allocates millions of small objects that live to the end of the run; with the default
    # thresholds the cyclic GC rescans them over and over (22 % of a 10,000-objective build).
    gc.set_threshold(100_000, 50, 1000)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"okrsite: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("okrsite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # a traceback is never shown to a user; this line is a bug report
        print(f"okrsite: internal error: {type(e).__name__}: {e} (please report this)", file=sys.stderr)
        return EXIT_INTERNAL


def run() -> None:
    """The `okrsite` command: `main`, then an exit that leaves the heap to the OS.

    A build of 10,000 objectives ends holding millions of objects, and the interpreter
    freed them one by one as it ended: 0.7-0.9 s after the last line was printed. Output
    is flushed and exit handlers run (the front-matter cache's writer is waited for) first.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe (`okrsite check | head`)
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    run()

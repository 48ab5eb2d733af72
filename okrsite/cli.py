"""Command line: parse arguments, call the pipeline, print, set the exit status. Nothing else."""

from __future__ import annotations

import argparse
import gc
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
        build = check(_site(args.site), args.site, _as_of(args.today), args.jobs or default_jobs())
    except WorkerFailed as e:
        print(f"okrsite: error: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    _print_report(build, args.format)
    return EXIT_ERRORS if build.failed(args.strict) else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from okrsite.build import check, default_jobs, publish
    from okrsite.parallel import WorkerFailed
    from okrsite.write.output import refuse_reason

    root = _site(args.site)
    out = Path(args.out) if args.out else root / "_site"
    reason = refuse_reason(root, out, args.force)
    if reason:
        raise UsageError(reason)
    jobs = args.jobs or default_jobs()
    try:
        build = check(root, args.site, _as_of(args.today), jobs)
    except WorkerFailed as e:
        print(f"okrsite: error: {e}; {out} left as it was", file=sys.stderr)
        return EXIT_INTERNAL
    _print_report(build, args.format)
    if build.failed(args.strict):
        print(f"okrsite: build refused; {out} left as it was", file=sys.stderr)
        return EXIT_ERRORS
    try:
        publish(build, out, jobs)
    except WorkerFailed as e:
        print(f"okrsite: error: {e}; {out} left as it was", file=sys.stderr)
        return EXIT_INTERNAL
    t, w = build.timings, build.written
    stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in t.items())
    assert w is not None
    print(f"okrsite: {w.files} files in {out}: {w.written} written, {w.kept} unchanged; {w.rendered} pages "
          f"rendered by {w.jobs} worker{'s' if w.jobs != 1 else ''} ({stages})", file=sys.stderr)
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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="okrsite", description="Static sites for OKR handbooks.")
    p.add_argument("--version", action="version", version=f"okrsite {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("site", nargs="?", default=".", metavar="SITE", help="the handbook folder (default: .)")
        sp.add_argument("--today", metavar="DATE", help="judge progress at DATE when okrsite.yaml sets no as_of")

    def reporting(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--strict", action="store_true", help="warnings fail too")
        sp.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="diagnostics as compiler lines, a JSON list, or GitHub annotations")

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
    sp.set_defaults(func=cmd_build)

    sp = sub.add_parser("serve", help="preview with live reload")
    common(sp)
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port (default: 8000; the next free one if taken)")
    sp.add_argument("--open", action="store_true", help="open the site in a browser")
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("init", help="write a starter handbook")
    sp.add_argument("dir", metavar="DIR")
    sp.set_defaults(func=cmd_init)
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


if __name__ == "__main__":
    sys.exit(main())

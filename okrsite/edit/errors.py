"""Why an edit is not made: a problem with the handbook (exit 1) or with the command line (exit 2)."""

from __future__ import annotations


class EditError(Exception):
    """An edit okrsite will not make; the message says why in one line."""


class BadArgument(Exception):
    """A command-line value that cannot be used (not a number, not a date, not an id)."""

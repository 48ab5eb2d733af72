"""Editing handbook files in place: check-ins, measurements and new pages, without hand-editing YAML.

Every edit is a set of insertions at character offsets of the file's exact text, found from the YAML
nodes' source marks, so all other bytes (comments, quoting, key order, list style, CRLF, BOM) stay.
The edited site is validated in memory before anything is written, and writes are atomic.
"""

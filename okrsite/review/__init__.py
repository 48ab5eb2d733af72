"""Review: what a change does to the goals, between two states of a handbook in git.

Both sides go through the same load → validate → compute as a build (`sides`), are
compared as plain data (`diff`), then rendered as a pull-request comment or JSON
(`report`). Reading a revision out of git is `gitrev`.
"""

"""okrsite: a static site generator for OKR handbooks."""

__version__ = "0.1.0"

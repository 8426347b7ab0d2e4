"""The ``plw`` command line: one module per command group, a thin shell over the core."""

from .app import cli, main

__all__ = ["cli", "main"]

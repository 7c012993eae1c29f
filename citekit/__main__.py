"""``python -m citekit``: the same as the ``citekit`` command."""

from citekit.cli import run

run()

"""``python -m citekit``: the same as the ``citekit`` command."""

from citekit.cli import run

if __name__ == "__main__":  # importing it (tools, worker start-up) must not run the command
    run()

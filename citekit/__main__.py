"""``python -m citekit``: the same as the ``citekit`` command."""

from citekit.cli import main

if __name__ == "__main__":  # worker processes import this module again: they must not run the command
    main()

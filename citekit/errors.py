"""Every error citekit raises on purpose, under one base: :class:`CitekitError`.

Library users catch ``CitekitError`` (or one kind of it); the command line turns one into a
message and its :attr:`~CitekitError.exit_code` in a single place (``citekit.cli.run``), with no
traceback. Bad *content* is not an error: readers report it as diagnostics and carry on.

- :class:`UsageError` (exit 2): an option, an environment variable or a format name that cannot
  be used — the run does not start;
- :class:`InputError` (exit 2): an input file that cannot be read at all (missing, a folder, no
  permission) — nothing was read from it;
- :class:`OutputError` (exit 2): an output that cannot be written (its folder cannot be made,
  no permission, a full disk) — nothing is left half-written;
- :class:`SourceError` (exit 1): a source could not answer. During a run, a source that fails
  does not fail the run (its records are kept as read); only a source that cannot be used at all
  ends it;
- :class:`StoreError` (exit 2): the local index or the response cache cannot be opened or used
  (a bad path, a file that is not one, an index of another schema).
"""

from __future__ import annotations


class CitekitError(Exception):
    """Base of every error citekit raises on purpose."""

    exit_code = 1
    """What ``citekit`` exits with when this error ends a command."""


class UsageError(CitekitError, ValueError):
    """A value citekit cannot use: an option, an environment variable, a format or source name."""

    exit_code = 2

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option
        """The option (``--sources``) or environment variable the value came from, when known."""


class InputError(CitekitError, OSError):
    """An input file that cannot be read at all; ``file`` names it."""

    exit_code = 2

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file


class OutputError(CitekitError, OSError):
    """An output file that cannot be written; ``file`` names it."""

    exit_code = 2

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file


class SourceError(CitekitError):
    """A source could not answer (network down, retries exhausted, a malformed response)."""

    def __init__(self, source: str, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message
        self.url = url
        self.status = status

    def __reduce__(self) -> tuple[object, ...]:
        """Pickles whole (it crosses from worker processes to the run that reports it)."""
        return _rebuild_source_error, (type(self), self.source, self.message, self.url, self.status)


class StoreError(SourceError):
    """The local index or the response cache cannot be opened or used."""

    exit_code = 2


def _rebuild_source_error(
    kind: type[SourceError], source: str, message: str, url: str, status: int | None
) -> SourceError:
    return kind(source, message, url=url, status=status)

"""citekit: turn messy bibliographic records into clean, complete, verified ones.

The library API (see :mod:`citekit.api`)::

    import citekit

    records, report = citekit.read(["refs.bib"])
    records, report = citekit.enrich(records, report=report, sources="local", offline=True)
    citekit.write(records, "clean.bib")
"""

__version__ = "0.1.0"  # first: modules imported below read it

from citekit.api import Result, enrich, export, read, read_string, write, write_string
from citekit.errors import CitekitError, InputError, OutputError, SourceError, StoreError, UsageError
from citekit.model import Date, Name, Origin, Record
from citekit.report import Report
from citekit.sources import open_sources

__all__ = [
    "CitekitError",
    "Date",
    "InputError",
    "Name",
    "Origin",
    "OutputError",
    "Record",
    "Report",
    "Result",
    "SourceError",
    "StoreError",
    "UsageError",
    "__version__",
    "enrich",
    "export",
    "open_sources",
    "read",
    "read_string",
    "write",
    "write_string",
]

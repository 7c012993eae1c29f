"""citekit: turn messy bibliographic records into clean, complete, verified ones."""

from citekit.model import Date, Name, Origin, Record

__version__ = "0.1.0"
__all__ = ["Date", "Name", "Origin", "Record", "__version__"]

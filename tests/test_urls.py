"""URLs through every reader and writer: a URL comes back as it went in, in every format.

BibTeX and BibLaTeX write it as written, in a verbatim field that Zotero and pandoc read as it
stands and biber percent-encodes itself (a space as ``%20``); only what would break the field or
be changed on reading is percent-encoded there, as biber would (a brace, a backslash, a tab or
line break, a second space): RFC 3986 does not allow them in a URL either."""

from __future__ import annotations

import pytest

from citekit.formats import csljson, ris
from citekit.formats.base import Format
from citekit.formats.bibtex import BIBLATEX, BIBTEX
from citekit.model import Record

FORMATS: dict[str, Format] = {
    "bibtex": BIBTEX,
    "biblatex": BIBLATEX,
    "ris": ris.FORMAT,
    "csljson": csljson.FORMAT,
}
UNCHANGED = [
    "https://example.org/my file.pdf",  # a space, as file names have them
    "https://example.org/my%20file.pdf",  # already encoded: not decoded
    "https://de.wikipedia.org/wiki/Köln",  # an IRI: UTF-8 everywhere
    "https://example.org/K%C3%B6ln",
    "https://example.org/q?a=1&b=2;c=%25#frag",
    "https://example.org/~user/file_name.pdf",
    "https://example.org/100%",
    "https://example.org/$x$^y",
]
ENCODED = {  # what RFC 3986 forbids and biber encodes the same way
    "https://example.org/{x}": "https://example.org/%7Bx%7D",
    "https://example.org/a\\b": "https://example.org/a%5Cb",
    "https://example.org/a\tb": "https://example.org/a%09b",
    "https://example.org/a  b": "https://example.org/a %20b",
}


def through(fmt: Format, url: str) -> str:
    record = Record(type="webpage", title="T", url=url, key="k")
    [again] = fmt.read(fmt.write([record]), "again").records
    return again.url


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("url", UNCHANGED)
def test_a_url_comes_back_unchanged(url: str, name: str) -> None:
    assert through(FORMATS[name], url) == url


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("url", ENCODED)
def test_what_a_url_may_not_hold_is_percent_encoded_in_bib_files_only(url: str, name: str) -> None:
    expected = ENCODED[url] if name in ("bibtex", "biblatex") else url
    assert through(FORMATS[name], url) == expected
    if name in ("bibtex", "biblatex"):
        assert through(FORMATS[name], expected) == expected  # and then it stays so


def test_a_space_is_written_as_it_is_and_bibtex_escapes_are_read() -> None:
    record = Record(type="webpage", title="T", url="https://example.org/my file.pdf", key="k")
    assert "url = {https://example.org/my file.pdf}" in BIBTEX.write([record])
    read = BIBTEX.read(r"@misc{k, url = {\url{https://x.org/a\_b\%20c}}}", "k.bib").records[0]
    assert read.url == "https://x.org/a_b%20c"

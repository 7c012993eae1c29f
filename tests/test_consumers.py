"""What citekit writes, fed to the real programs that read it.

Inputs: the seeds exported the way the README does it (local index from ``seeds/metadata/``, then
``citekit export … --offline --reference-date 2026-11-23``), and the hard corpora of
``tests/data/consumers/`` (accents, particles, a 167-author list, LaTeX specials, math, words whose
case matters, titles that would run ``\\write18``/``\\input``), each converted with ``citekit convert``.

Consumers: lualatex + bibtex + natbib (``plainnat``), lualatex + biber (``--validate-datamodel``) +
biblatex, pandoc (reading the .bib files as bibtex and biblatex, and the CSL-JSON), the CSL-JSON
schema, citeproc-py, rispy, and the rules of Zotero's RIS and CSL JSON import translators. lualatex, because the .bib files hold every script as UTF-8 (pdflatex reads no
Cyrillic, Greek or CJK without packages the user did not ask for). Besides the seeds and the hard
corpora, a generated library of 2,000 records in every script and of every type
(``tests/every_script.py``) must compile with no error and no warning from bibtex, biber or LaTeX.
A font's missing glyphs are not counted: lualatex logs them as "Missing character" lines (Latin
Modern has no Cyrillic, Greek or CJK), which is font coverage, not a problem of the .bib file; the
bibliography's text reaches the .bbl whole.

A missing TeX or pandoc binary skips its tests on a developer machine, but fails them when the ``CI``
environment variable is set (CI services set ``CI=true``), so CI never passes by not running them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.frontend import STYLES_PATH
from citeproc.source.json import CiteProcJSON
from click.testing import CliRunner
from every_script import every_script_records

from citekit.cli import main
from citekit.formats import csljson
from citekit.formats.bibtex import BIBLATEX, BIBTEX
from citekit.text import plain_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
METADATA = ROOT / "seeds" / "metadata"
CORPORA = sorted((ROOT / "tests" / "data" / "consumers").glob("hard.*"))
SOURCES = ["seeds", *(corpus.name for corpus in CORPORA)]
EXPORT_NAMES = {
    "bibtex": "library.bib",
    "biblatex": "library-biblatex.bib",
    "csljson": "library.json",
    "ris": "library.ris",
}
SUFFIXES = {"bibtex": ".bib", "biblatex": ".biblatex.bib", "csljson": ".json", "ris": ".ris"}

TEX_TIMEOUT = 900  # seconds per run, a guard against hangs, far above any real run; biber loops forever on some empty name parts (clients.md)
PAYLOAD_MARKER = "pwned-input.txt"
PAYLOAD = (
    r"\newwrite\pwned\immediate\openout\pwned="
    + PAYLOAD_MARKER
    + r"\immediate\write\pwned{x}\immediate\closeout\pwned\typeout{PAYLOAD-RAN}"
)

# Zotero's "CSL JSON" import translator (zotero/translators, CSL JSON.js, detectImport): a file is
# refused unless every item's type is in this list. Later versions add gazette, regulation,
# classic, standard, hearing and video; this is the list every version accepts.
ZOTERO_CSL_TYPES = frozenset(
    {
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "dataset",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "figure",
        "graphic",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "personal_communication",
        "post",
        "post-weblog",
        "report",
        "review",
        "review-book",
        "song",
        "speech",
        "thesis",
        "treaty",
        "webpage",
    }
)
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")  # Zotero's grammar, with the spec's two spaces
BARE_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
RIS_DATE = re.compile(r"^(\d{4})/(\d{2})?/(\d{2})?/$")


def require(binary: str) -> str:
    """The binary's path; skip without it, except under CI, where its absence is a failure."""
    path = shutil.which(binary)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is not installed, and CI is set: .ci/run must install it")
        pytest.skip(
            f"{binary} is not installed (apt-get install pandoc texlive-luatex texlive-latex-recommended "
            "texlive-bibtex-extra biber); under CI this fails"
        )
    return path


def invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """{source: {format: file}}: the seeds' export, and every corpus converted to every format."""
    seeds = tmp_path_factory.mktemp("seeds")
    index = seeds / "index.sqlite"
    invoke(
        "index",
        "add",
        "--index",
        str(index),
        *(str(METADATA / name) for name in ("arxiv.jsonl", "crossref.jsonl", "dblp.xml.gz")),
    )
    invoke(
        "export",
        *map(str, SEEDS),
        "-d",
        str(seeds / "out"),
        "--index",
        str(index),
        "--offline",
        "--cache",
        str(seeds / "cache.sqlite"),
        "--reference-date",
        "2026-11-23",
    )
    found = {"seeds": {fmt: seeds / "out" / name for fmt, name in EXPORT_NAMES.items()}}
    converted = tmp_path_factory.mktemp("corpora")
    for corpus in CORPORA:
        found[corpus.name] = {}
        for fmt, suffix in SUFFIXES.items():
            target = converted / f"{corpus.stem}-{corpus.suffix[1:]}{suffix}"
            invoke("convert", str(corpus), "-o", str(target), "--to", fmt)
            found[corpus.name][fmt] = target
    return found


def csl_items(outputs: dict[str, dict[str, Path]], source: str) -> list[dict]:
    return json.loads(outputs[source]["csljson"].read_text(encoding="utf-8"))


# --- LaTeX ------------------------------------------------------------------------------------

NATBIB_DOCUMENT = r"""\documentclass{article}
\usepackage{url}
\usepackage{natbib}
\begin{document}
\nocite{*}
\bibliographystyle{plainnat}
\bibliography{refs}
\end{document}
"""
BIBLATEX_DOCUMENT = r"""\documentclass{article}
\usepackage[backend=biber]{biblatex}
\addbibresource{refs.bib}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""


@dataclass
class Build:
    directory: Path
    log: str
    blg: str
    bbl: str
    problems: list[str]


def run(command: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "max_print_line": "100000", "openout_any": "p"}
    try:
        return subprocess.run(
            command,
            cwd=directory,
            env=environment,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TEX_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command[0]} ran longer than {TEX_TIMEOUT}s on {directory}")


def build(bib: Path, directory: Path, tool: str) -> Build:
    """lualatex, then bibtex or biber, then lualatex twice; the problems each step reported."""
    latex = [require("lualatex"), "-interaction=nonstopmode", "-no-shell-escape", "-halt-on-error", "doc"]
    bib_command = [require(tool), *(["--validate-datamodel"] if tool == "biber" else []), "doc"]
    shutil.copyfile(bib, directory / "refs.bib")
    (directory / "hostile-payload.tex").write_text(PAYLOAD)
    (directory / "doc.tex").write_text(NATBIB_DOCUMENT if tool == "bibtex" else BIBLATEX_DOCUMENT)
    problems = []
    for step, command in enumerate([latex, bib_command, latex, latex]):
        done = run(command, directory)
        if done.returncode != 0:
            problems.append(f"step {step + 1}: {command[0]} exited {done.returncode}: {done.stdout[-2000:]}")
    read = lambda name: (directory / name).read_text(encoding="utf-8", errors="replace")  # noqa: E731
    return Build(directory, read("doc.log"), read("doc.blg"), read("doc.bbl"), problems)


def bib_keys(bib: Path) -> list[str]:
    entries = re.findall(r"^@(\w+)\{([^,\s]+),", bib.read_text(encoding="utf-8"), re.MULTILINE)
    return [key for kind, key in entries if kind.lower() not in ("string", "comment", "preamble")]


def latex_problems(result: Build) -> list[str]:
    """Errors and warnings in the final LaTeX log, and any sign that a field ran as TeX."""
    problems = list(result.problems)
    problems += [line for line in result.log.splitlines() if line.startswith("!")]
    problems += [line for line in result.log.splitlines() if re.search(r"(LaTeX|Package \w+) Warning", line)]
    problems += [
        f"field ran as TeX: {line}"
        for line in result.log.splitlines()
        if "runsystem" in line or "PAYLOAD-RAN" in line
    ]
    if (result.directory / PAYLOAD_MARKER).exists():
        problems.append(r"\input{hostile-payload} ran: the marker file was created")
    return problems


def check_hostile_text(bib: Path, bbl: str) -> None:
    """A title saying \\input{hostile-payload} reaches the .bbl as escaped text."""
    if "hostile-payload" in bib.read_text(encoding="utf-8"):
        assert "hostile-payload" in bbl
        assert r"\input{hostile-payload}" not in bbl and r"\write18{" not in bbl
        assert "textbackslash" in bbl


@pytest.fixture(scope="module")
def every_script(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generated every-script library, written by both .bib writers."""
    records = every_script_records(2000)
    folder = tmp_path_factory.mktemp("every-script")
    files = {
        "bibtex": folder / "every-script.bib",
        "biblatex": folder / "every-script-biblatex.bib",
        "csljson": folder / "every-script.json",
    }
    files["bibtex"].write_text(BIBTEX.write(records), encoding="utf-8")
    files["biblatex"].write_text(BIBLATEX.write(records), encoding="utf-8")
    files["csljson"].write_text(csljson.write(records), encoding="utf-8")
    return files


def bib_file(
    source: str, fmt: str, outputs: dict[str, dict[str, Path]], request: pytest.FixtureRequest
) -> Path:
    return request.getfixturevalue("every_script")[fmt] if source == "every-script" else outputs[source][fmt]


@pytest.mark.parametrize("source", [*SOURCES, "every-script"])
def test_bibtex_natbib_compiles_every_entry(
    outputs: dict[str, dict[str, Path]], source: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    bib = bib_file(source, "bibtex", outputs, request)
    result = build(bib, tmp_path, "bibtex")
    blg_problems = [
        line
        for line in result.blg.splitlines()
        if line.startswith(("Warning--", "I was expecting", "I'm skipping", "Repeated entry"))
        or re.search(r"\(There (was|were) \d+ (error|warning)", line)
    ]
    assert blg_problems == []
    assert latex_problems(result) == []
    cited = set(re.findall(r"\\bibitem\[.*?\]\s*\{([^}]+)\}", result.bbl, re.DOTALL))
    assert set(bib_keys(bib)) - cited == set()
    check_hostile_text(bib, result.bbl)


@pytest.mark.parametrize("source", [*SOURCES, "every-script"])
def test_biber_biblatex_compiles_every_entry(
    outputs: dict[str, dict[str, Path]], source: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    bib = bib_file(source, "biblatex", outputs, request)
    result = build(bib, tmp_path, "biber")
    blg_problems = [line for line in result.blg.splitlines() if re.search(r"> (WARN|ERROR) - ", line)]
    assert blg_problems == []
    assert latex_problems(result) == []
    cited = set(re.findall(r"\\entry\{([^}]+)\}", result.bbl))
    assert set(bib_keys(bib)) - cited == set()
    check_hostile_text(bib, result.bbl)


# --- CSL-JSON ---------------------------------------------------------------------------------


def bundled_style() -> CitationStylesStyle:
    """A style citeproc-py ships (harvard1 up to 0.6, harvard-cite-them-right since)."""
    names = sorted(path.stem for path in Path(STYLES_PATH).glob("*.csl"))
    assert names, f"citeproc-py ships no style in {STYLES_PATH}"
    return CitationStylesStyle("harvard1" if "harvard1" in names else names[0], validate=False)


def render(items: list[dict]) -> dict[str, str]:
    """Each item's bibliography entry, as plain text, by id."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "unsupported arguments: custom, citation_key": not rendered
        bibliography = CitationStylesBibliography(bundled_style(), CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    assert len(entries) == len(items)
    return dict(
        zip((item["id"] for item in items), entries, strict=True)
    )  # citeproc-py lower-cases its own keys


def plain(text: str) -> str:
    """Text as a rendered entry shows it: CSL rich text (a .bib title's nocase spans) is markup."""
    return " ".join(plain_text(text).replace("’", "'").split()).casefold()


def first_author(item: dict) -> str:
    name = (item.get("author") or item.get("editor") or [{}])[0]
    return name.get("family") or name.get("literal") or ""


@pytest.mark.parametrize("source", SOURCES)
def test_csljson_is_valid_against_the_schema(outputs: dict[str, dict[str, Path]], source: str) -> None:
    schema = json.loads((ROOT / "citekit" / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(csl_items(outputs, source))
    ]
    assert errors == []


@pytest.mark.parametrize("source", [*SOURCES, "every-script"])
def test_citeproc_renders_title_author_year_and_container(
    outputs: dict[str, dict[str, Path]], source: str, request: pytest.FixtureRequest
) -> None:
    items = json.loads(bib_file(source, "csljson", outputs, request).read_text(encoding="utf-8"))
    rendered = render(items)
    missing = []
    for item in items:
        entry = plain(rendered[item["id"]])
        year = str(item["issued"]["date-parts"][0][0]) if "issued" in item else ""
        wanted = {
            "title": item.get("title", ""),
            "author": first_author(item),
            "year": year,
            "container": item.get("container-title", ""),
        }
        missing += [
            f"{item['id']}: {part} {value!r} not in {entry!r}"
            for part, value in wanted.items()
            if plain(value) not in entry
        ]
    assert missing == []


# --- pandoc -----------------------------------------------------------------------------------


def surname(name: dict) -> str:
    """A CSL name's surname with its particles, spaces dropped: pandoc splits ``d'Ascoli`` into a
    particle and a family name, also when it reads CSL-JSON."""
    parts = (name.get(part, "") for part in ("non-dropping-particle", "dropping-particle", "family"))
    return plain("".join(parts).replace(" ", "") or name.get("literal", ""))


def title_words(title: str) -> list[str]:
    """The words outside math (pandoc gives math as TeX: ``$κ$`` becomes ``\\kappa``)."""
    return plain(re.sub(r"(?<!\\)\$[^$]*\$", " ", title)).split()


_PANDOC_SCRIPT = re.compile(r"[\^_]\{\\textrm\{([^{}]*)\}\}")
"""A superscript or subscript as pandoc gives it in CSL-JSON when the .bib file has it in Zotero's
form (``x$^{\\textrm{2}}$``): math, as TeX (``x^{\\textrm{2}}``), which its documents set as one."""


def lost_by_pandoc(ours: list[dict], theirs: list[dict]) -> list[str]:
    """Every item of ours, by id, in pandoc's: each title word, every creator's surname, the year."""
    by_id = {str(item["id"]): item for item in theirs}
    lost = []
    for item in ours:
        read = by_id.get(str(item["id"]))
        if read is None:
            lost.append(f"{item['id']}: missing")
            continue
        title = plain(_PANDOC_SCRIPT.sub(r"\1", read.get("title", "")))
        lost += [
            f"{item['id']}: title word {w!r}" for w in title_words(item.get("title", "")) if w not in title
        ]
        for role in ("author", "editor"):
            if [surname(n) for n in item.get(role, [])] != [surname(n) for n in read.get(role, [])]:
                lost.append(f"{item['id']}: {role} {item.get(role)} read as {read.get(role)}")
        year = str(item["issued"]["date-parts"][0][0]) if "date-parts" in item.get("issued", {}) else ""
        read_year = (read.get("issued", {}).get("date-parts") or [[""]])[0][0]
        if year != str(read_year):
            lost.append(f"{item['id']}: year {year} read as {read_year}")
    return lost


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csljson"])
@pytest.mark.parametrize("source", [*SOURCES, "every-script"])
def test_pandoc_reads_every_record_whole(
    outputs: dict[str, dict[str, Path]], source: str, fmt: str, request: pytest.FixtureRequest
) -> None:
    """pandoc's citeproc (``pandoc -f bibtex|biblatex|csljson -t csljson``) gets every record of the
    .bib files and the CSL-JSON with its title, its creators and its year."""
    pandoc = require("pandoc")
    ours = json.loads(bib_file(source, "csljson", outputs, request).read_text(encoding="utf-8"))
    path = bib_file(source, fmt, outputs, request)
    done = subprocess.run(
        [pandoc, "-f", fmt, "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        timeout=TEX_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout)
    assert len(theirs) == len(ours)
    assert lost_by_pandoc(ours, theirs) == []


@pytest.mark.parametrize("source", SOURCES)
def test_zotero_csl_import_accepts_every_item(outputs: dict[str, dict[str, Path]], source: str) -> None:
    items = csl_items(outputs, source)
    assert isinstance(items, list) and items
    refused = [item.get("id") for item in items if item.get("type") not in ZOTERO_CSL_TYPES]
    assert refused == []
    assert all(isinstance(item.get("id"), (str, int)) and str(item["id"]) for item in items)
    assert len({item["id"] for item in items}) == len(items)


_RECORDS_IN: dict[str, Callable[[str], int]] = {
    ".bib": lambda text: len(re.findall(r"^@(?!comment|string|preamble)\w+\{", text, re.M | re.I)),
    ".json": lambda text: len(json.loads(text)),
    ".ris": lambda text: len(re.findall(r"^TY  - ", text, re.M)),
}
"""How many records a corpus holds, counted in its own syntax."""


def test_corpora_keep_every_record(outputs: dict[str, dict[str, Path]]) -> None:
    """Each hard record reaches each consumer: the corpora's own counts, not the writer's."""
    for corpus in CORPORA:
        text = corpus.read_text(encoding="utf-8")
        expected = _RECORDS_IN[corpus.suffix](text)
        assert len(csl_items(outputs, corpus.name)) == expected, corpus.name
        assert len(bib_keys(outputs[corpus.name]["bibtex"])) == expected, corpus.name
        ris_text = outputs[corpus.name]["ris"].read_text(encoding="utf-8")
        assert len(rispy.loads(ris_text)) == expected, corpus.name


# --- RIS --------------------------------------------------------------------------------------


def ris_records(text: str) -> list[list[tuple[str, str]]]:
    """The (tag, value) lines of each record, split the way Zotero's RIS.js reads them."""
    records: list[list[tuple[str, str]]] = []
    for line in text.split("\r\n"):
        if not line:
            continue
        match = RIS_LINE.match(line)
        assert match, f"not a RIS tag line: {line!r}"
        if match.group(1) == "TY" or not records:
            records.append([])
        records[-1].append((match.group(1), match.group(2)))
    return records


def values(record: list[tuple[str, str]], tag: str) -> list[str]:
    return [value for name, value in record if name == tag]


@pytest.mark.parametrize("source", SOURCES)
def test_ris_rereads_with_rispy_losing_nothing(outputs: dict[str, dict[str, Path]], source: str) -> None:
    entries = rispy.loads(outputs[source]["ris"].read_text(encoding="utf-8"))
    items = csl_items(outputs, source)
    assert len(entries) == len(items)
    for entry, item in zip(entries, items, strict=True):
        title = plain_text(item["title"]) if "title" in item else None  # RIS has no markup
        assert entry.get("title") == title, item["id"]
        assert len(entry.get("authors", [])) == len(item.get("author", [])), item["id"]
        assert entry.get("doi") == item.get("DOI"), item["id"]
        year = str(item["issued"]["date-parts"][0][0]) if "issued" in item else None
        assert entry.get("year") == year, item["id"]


@pytest.mark.parametrize("source", SOURCES)
def test_ris_follows_zoteros_reader_rules(outputs: dict[str, dict[str, Path]], source: str) -> None:
    raw = outputs[source]["ris"].read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends in CRLF"
    records = ris_records(raw.decode("utf-8"))
    items = csl_items(outputs, source)
    assert len(records) == len(items)
    for record, item in zip(records, items, strict=True):
        tags = [tag for tag, _ in record]
        assert tags[0] == "TY" and tags.count("TY") == 1, item["id"]
        assert tags[-1] == "ER" and tags.count("ER") == 1, item["id"]
        check_dates(record, item)
        check_container(record, item)
        assert values(record, "DO") == ([item["DOI"]] if "DOI" in item else []), item["id"]
        assert all(BARE_DOI.match(doi) for doi in values(record, "DO")), item["id"]
        if "URL" in item:
            assert item["URL"] in values(record, "UR"), item["id"]
        check_arxiv(record, item)


def check_dates(record: list[tuple[str, str]], item: dict) -> None:
    """``PY  - YYYY`` and ``DA  - YYYY/MM/DD/`` (zero parts left empty), the same year."""
    if "issued" not in item:
        return
    year = item["issued"]["date-parts"][0][0]
    assert values(record, "PY") == [str(year)], item["id"]
    dates = values(record, "DA")
    assert len(dates) == 1 and RIS_DATE.match(dates[0]), (item["id"], dates)
    assert RIS_DATE.match(dates[0]).group(1) == str(year), item["id"]


def check_container(record: list[tuple[str, str]], item: dict) -> None:
    """``T2`` is the container wherever Zotero's RIS.js reads it as one (publicationTitle for
    JOUR/MGZN/NEWS and for GEN, which it imports as a journal article; bookTitle for CHAP;
    websiteTitle for ELEC). CONF is checked on its own (test_ris_conference_*)."""
    kind = values(record, "TY")[0]
    if kind in ("JOUR", "MGZN", "NEWS", "GEN", "CHAP", "ELEC"):
        container = item.get("container-title")
        assert values(record, "T2") == ([container] if container else []), item["id"]


def check_arxiv(record: list[tuple[str, str]], item: dict) -> None:
    """A preprint keeps its arXiv id: a report of type Preprint (RIS.js has no preprint type and
    reads GEN as a journal article) numbered arXiv:<id>, DOI 10.48550/arXiv.<id>, the id in Extra."""
    doi = item.get("DOI", "")
    if not doi.lower().startswith("10.48550/arxiv."):
        return
    arxiv_id = doi.split(".", 2)[2]
    assert values(record, "TY") == ["RPRT"] and values(record, "M3") == ["Preprint"], item["id"]
    assert values(record, "SN") == [f"arXiv:{arxiv_id}"] and values(record, "PB") == ["arXiv"], item["id"]
    assert f"arXiv: {arxiv_id}" in values(record, "M2"), item["id"]
    assert f"https://arxiv.org/abs/{arxiv_id}" in values(record, "UR"), item["id"]


@pytest.mark.parametrize("source", SOURCES)
def test_ris_conference_proceedings_in_c3_and_event_in_t2(
    outputs: dict[str, dict[str, Path]], source: str
) -> None:
    """Zotero's RIS.js, TY CONF: C3 → proceedingsTitle (CSL container-title), T2 → conferenceName
    (CSL event-title)."""
    records = ris_records(outputs[source]["ris"].read_bytes().decode("utf-8"))
    conferences = [
        (record, item)
        for record, item in zip(records, csl_items(outputs, source), strict=True)
        if values(record, "TY") == ["CONF"]
    ]
    assert conferences, f"{source} has no conference paper to check"
    wrong = [
        (item["id"], values(record, "T2"), values(record, "C3"))
        for record, item in conferences
        if values(record, "C3") != ([item["container-title"]] if item.get("container-title") else [])
        or values(record, "T2") != ([item["event-title"]] if item.get("event-title") else [])
    ]
    assert wrong == []

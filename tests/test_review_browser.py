"""The review page in a real browser: Debian's ``chromium``, driven by Playwright.

Pages are built from the seeds' report, from a report with ambiguous, matched and unmatched
records (tests/test_review.py's ``uncertain`` export) and from a generated report of 10,000
records. A person's session is played with the mouse and the keyboard; the decisions it
downloads are applied with ``export --decisions``, and the library must change exactly so.

Every page is loaded from a file with every request logged: the only one allowed is the page
itself. Console errors and uncaught exceptions fail the test. Without chromium (or Playwright)
these tests skip on a developer machine, but fail when ``CI`` is set: .ci/run installs chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import test_review
from test_review import by_key, export

from citekit import review

# The review tests' fixtures, shared: the index with the ambiguous records, and its export.
review_index = test_review.review_index
uncertain = test_review.uncertain

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # skipped (or, under CI, failed) by the browser fixture
    expect = sync_playwright = None

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and CI is set: .ci/run must install it")
    pytest.skip(
        f"{what} is missing (apt-get install chromium; pip install -e '.[test]'); under CI this fails"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if sync_playwright is None:
        _missing("playwright")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _missing("chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
        )
        yield launched
        launched.close()


class Visit:
    """One page open in the browser, with what it asked of the network and what it complained of."""

    def __init__(self, browser: object, path: Path) -> None:
        self.context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def count(self) -> str:
        return self.page.inner_text("#count")

    def check_clean(self) -> None:
        """No console error, no uncaught exception, no request but the page itself (and blobs)."""
        assert self.errors == []
        assert [u for u in self.requests if u != self.url and not u.startswith("blob:")] == []

    def close(self) -> None:
        self.check_clean()
        self.context.close()


@pytest.fixture
def visit(browser: object) -> Iterator[Callable]:
    opened: list[Visit] = []

    def open_page(path: Path) -> Visit:
        opened.append(Visit(browser, path))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def wait_for_count(shown: Visit, start: str) -> None:
    """Until the count of records shown starts so (the search box waits for a pause in typing)."""
    expect(shown.page.locator("#count")).to_have_text(re.compile("^" + re.escape(start)))


def page_of(report: dict, path: Path) -> Path:
    path.write_text(review.page(report), encoding="utf-8")
    return path


def test_the_seeds_page_lists_every_record_and_filters(visit: Callable, tmp_path: Path) -> None:
    report = review.load_report(ROOT / "exports" / "report.json")
    shown = visit(page_of(report, tmp_path / "review.html"))
    assert shown.count().startswith("80 of 80 records, showing 1–50")
    assert shown.page.locator("#records > tbody > tr.record").count() == 50
    shown.page.click("#next")
    assert shown.page.locator("#records > tbody > tr.record").count() == 30
    shown.page.fill("#filter-text", "liu2026voxtralb")  # five inputs merged into one output record
    wait_for_count(shown, "5 of 80")
    assert set(shown.page.locator("tr.record td:nth-child(4)").all_inner_texts()) == {"liu2026voxtralb"}
    shown.page.fill("#filter-text", "liu2026voxtralb 000_02a")
    wait_for_count(shown, "1 of 80")
    row = shown.page.locator("#records > tbody > tr.record")
    assert row.count() == 1 and "liu2026voxtralb" in row.inner_text()
    shown.page.click("button.toggle")
    details = shown.page.locator("tr.details")
    assert "arXiv 2603.25551" in details.inner_text()
    assert details.locator("a[href='https://arxiv.org/abs/2603.25551']").count() == 1
    assert details.locator("td.f-agree .verdict").first.inner_text() == "agree 1"


def test_a_person_settles_two_records_and_export_applies_exactly_that(
    visit: Callable,
    uncertain: Path,
    review_index: Path,
    tmp_path: Path,
) -> None:
    shown = visit(uncertain / "review.html")
    assert shown.page.locator("tr.record td.status").all_inner_texts() == [
        "ambiguous",
        "unmatched",
        "matched",
    ]
    shown.page.select_option("#filter-status", "ambiguous")
    assert shown.count().startswith("1 of 3 records")
    shown.page.click("button.toggle")
    assert shown.page.locator("tr.details th[scope=col]").count() == 2 + 5  # field, input, five candidates
    shown.page.click("button[aria-label='Accept candidate 2 (Deep learning)']")
    assert shown.page.locator("tr.record td.decision").inner_text() == "accept doi:10.1038/nature14539"
    shown.page.select_option("#filter-status", "matched")
    shown.page.click("button.toggle")
    shown.page.click("button[aria-label='Reject candidate 1 (Rényi Differential Privacy)']")
    assert shown.page.locator("tr.record td.decision").inner_text() == "none of these"
    assert shown.page.inner_text("#download") == "Download decisions (2)"
    with shown.page.expect_download() as download:
        shown.page.click("#download")
    assert download.value.suggested_filename == "decisions.json"
    saved = tmp_path / "decisions.json"
    download.value.save_as(saved)

    report = by_key(json.loads((uncertain / "report.json").read_text()))
    assert json.loads(saved.read_text()) == {
        "citekit": "decisions",
        "version": 1,
        "decisions": {
            report["uncertain.bib#1"]["fingerprint"]: {
                "choice": "doi:10.1038/nature14539",
                "title": "Deep Learning",
            },
            report["uncertain.bib#2"]["fingerprint"]: {
                "choice": "none",
                "title": "Rényi Differential Privacy",
            },
        },
    }
    export(review_index, tmp_path / "decided", "--decisions", str(saved))
    before = {item["id"]: item for item in json.loads((uncertain / "library.json").read_text())}
    after = {item["id"]: item for item in json.loads((tmp_path / "decided" / "library.json").read_text())}
    assert after.keys() == before.keys() == {"deeplearning", "mironov2017renyi", "szegedy"}
    changed = {key: item for key, item in after.items() if item != before[key]}
    assert set(changed) == {"deeplearning", "mironov2017renyi"}
    assert {
        k: changed["deeplearning"].get(k) for k in ("DOI", "container-title", "volume", "page", "type")
    } == {
        "DOI": "10.1038/nature14539",
        "container-title": "Nature",
        "volume": "521",
        "page": "436-444",
        "type": "article-journal",
    }
    renyi = changed["mironov2017renyi"]
    assert (
        "DOI" not in renyi
        and "container-title" not in renyi
        and renyi["title"] == "Rényi Differential Privacy"
    )
    decided = by_key(json.loads((tmp_path / "decided" / "report.json").read_text()))
    assert [(r["status"], r["match"]["rule"]) for r in decided.values()] == [
        ("matched", "decided by the user"),
        ("unmatched", "decided by the user"),
        ("unmatched", "no candidate passed validation"),
    ]


def test_every_control_has_a_label_and_the_page_works_from_the_keyboard(
    visit: Callable,
    uncertain: Path,
) -> None:
    shown = visit(uncertain / "review.html")
    unnamed = """() => [...document.querySelectorAll('input, select, button, a')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map(e => e.outerHTML)"""
    assert shown.page.evaluate(unnamed) == []
    assert shown.page.evaluate("document.documentElement.lang") == "en"
    focused = lambda: shown.page.evaluate("document.activeElement.id || document.activeElement.className")  # noqa: E731
    shown.page.focus("#filter-status")
    for _ in range(3):  # status, source, diagnostic, search
        shown.page.keyboard.press("Tab")
    assert focused() == "filter-text"
    shown.page.keyboard.type("convolutions")
    wait_for_count(shown, "1 of 3")
    shown.page.keyboard.press("Tab")  # the download button is disabled: skipped
    assert focused() == "toggle"
    shown.page.keyboard.press("Enter")
    assert shown.page.get_attribute("button.toggle", "aria-expanded") == "true"
    assert focused() == "toggle"
    shown.page.keyboard.press("Tab")
    assert shown.page.evaluate("document.activeElement.getAttribute('aria-label')").startswith(
        "Accept candidate 1 (Going deeper with convolutions)"
    )
    shown.page.keyboard.press("Space")
    assert shown.page.inner_text("#download") == "Download decisions (1)"
    assert shown.page.locator("tr.record td.decision").inner_text() == "accept doi:10.1109/cvpr.2015.7298594"
    assert shown.page.get_attribute("tr.details button.accept >> nth=0", "aria-pressed") == "true"
    assert shown.page.evaluate(unnamed) == []


def generated_report(n: int) -> dict:
    """A report of ``n`` records in the shape the pipeline writes, every tenth unmatched."""
    statuses = ["matched"] * 8 + ["unmatched", "ambiguous"]
    records = []
    for i in range(n):
        status = statuses[i % 10]
        title = f"Generated paper number {i} on {['graphs', 'codes', 'speech', 'vision'][i % 4]}"
        candidate = {
            "source": ["local", "crossref", "arxiv"][i % 3],
            "title": title,
            "authors": ["A. Author"],
            "et_al": False,
            "year": 2020,
            "venue": None,
            "doi": f"10.5555/gen.{i}",
            "arxiv": None,
            "dblp": None,
            "score": 0.9,
            "support": 2,
            "accepted": status != "unmatched",
            "rule": "accept: 2 agreeing fields, none disagreeing",
            "contradictions": [],
            "fields": {"title": {"verdict": "agree", "score": 1.0}},
        }
        records.append(
            {
                "input": {"file": "big.bib", "index": i + 1, "line": 4 * i + 1},
                "status": status,
                "key": f"author2020generated{i}",
                "ids": {"doi": None, "arxiv": None},
                "diagnostics": [{"level": "warning", "code": "enrich.conflict", "message": "m"}]
                if i % 7 == 0
                else [],
                "match": {"status": status, "rule": "r", "candidates": [candidate]},
                "fingerprint": f"{i:016x}",
                "record": {
                    "title": title,
                    "authors": ["A. Author"],
                    "et_al": False,
                    "year": 2020,
                    "venue": None,
                    "doi": None,
                    "arxiv": None,
                    "dblp": None,
                },
            }
        )
    records[5]["record"]["title"] = (
        "</script><script>document.title='broken'</script><img src=x onerror=alert(1)>"
    )
    return {
        "version": 1,
        "generator": "citekit test",
        "records": records,
        "diagnostics": [],
        "summary": {"inputs": n},
    }


def test_a_page_of_ten_thousand_records_loads_draws_fifty_and_filters(
    visit: Callable, tmp_path: Path
) -> None:
    report = generated_report(10_000)
    shown = visit(page_of(report, tmp_path / "big.html"))
    assert shown.count() == "10000 of 10000 records, showing 1–50"
    assert shown.page.locator("#records > tbody > tr").count() == 50
    assert shown.page.locator("tr.record td.status").first.inner_text() == "ambiguous"
    shown.page.select_option("#filter-status", "unmatched")
    assert shown.count().startswith("1000 of 10000 records")
    shown.page.select_option("#filter-source", "crossref")
    expected = sum(1 for i in range(10_000) if i % 10 == 8 and i % 3 == 1)
    assert shown.count().startswith(f"{expected} of 10000 records")
    shown.page.select_option("#filter-status", "")
    shown.page.select_option("#filter-source", "")
    shown.page.select_option("#filter-code", "enrich.conflict")
    assert shown.count().startswith(f"{len(range(0, 10_000, 7))} of 10000 records")
    shown.page.select_option("#filter-code", "")
    shown.page.fill("#filter-text", "number 9999 on")
    wait_for_count(shown, "1 of 10000")
    assert "author2020generated9999" in shown.page.inner_text("#records > tbody")
    shown.page.fill("#filter-text", "")
    wait_for_count(shown, "10000 of 10000")
    shown.page.fill("#filter-text", "</script>")
    wait_for_count(shown, "1 of 10000")
    assert shown.page.locator("tr.record td").nth(1).inner_text().startswith("</script><script>")
    assert shown.page.title() == "citekit review"

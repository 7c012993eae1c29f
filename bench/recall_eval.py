"""Recall on the records people really have, with near twins beside each: a generated evaluation.

Four classes of records, each built from papers of the real snapshot (``seeds/metadata/``) and of
the generated corpus (:mod:`generate_arxiv`), and matched through the real command line
(``citekit enrich --sources local``): the generated ones against an index of the corpus, the
snapshot and the *families* this script adds, the real ones against the snapshot alone (the
corpus draws its commonest words from the snapshot's papers, so none of theirs is rare there):

- ``title-alone``: only the exact title (long ones: at least three content words, one of them from
  deep in the generator's long tail, as a method's name, or five words for a real paper);
- ``older-title``: a title that differs from the indexed one in a phrase (one word replaced, or
  its ending reworded), with every author and the year (titles of three content words or more);
- ``other-abstract``: only the abstract of another version: sentences lightly edited, one
  rewritten, one dropped or swapped, one added;
- ``part-abstract``: only the abstract's first sentences (at least 30 words), or the abstract
  without its middle.

Each generated paper P comes as a family, written to one template: beside P the index holds a
paper by the same authors and a paper with P's title template (its adjectives and function words
kept, its other words changed; other authors), both with P's abstract template (the same phrasing,
the words beyond the 1,000 most frequent replaced).
P's sequel (``P 2``, ``P 3``, same authors) and its workshop version (``P (Workshop Version)``)
are *not* indexed: the same four kinds of records made from them are near-twin queries, and any
identifier they get is wrong. Precision = right ids / ids given; recall = right ids / queries
whose paper is indexed.

    .venv/bin/python bench/recall_eval.py                         # 1M listings, 250 families a class
    .venv/bin/python bench/recall_eval.py --records 100000 --families 100    # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_arxiv

from citekit.formats import bibtex
from citekit.model import Date, Name, Record
from citekit.sources.convert import arxiv_bulk_to_record
from citekit.sources.fulltext import STOPWORDS

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
METADATA = ROOT / "seeds" / "metadata"
CITEKIT = [sys.executable, "-m", "citekit"]
CLASSES = ("title-alone", "older-title", "other-abstract", "part-abstract")
FAMILY_START = 5_000_000
"""Listing numbers of the families: past any corpus (dated 2019), so never in it."""
STOP = frozenset("a an the of on in at to for and or with via by from is are all you need".split())


# --- generated families ------------------------------------------------------------------------


def rare_words(vocabulary: generate_arxiv.Vocabulary) -> set[str]:
    """The generator's made-up words deep in its long tail (beyond its 20,000 most frequent), as
    the name of a method is: in some hundred titles of a million."""
    return set(vocabulary.words[20_000:])


def template_of(text: str, vocabulary: generate_arxiv.Vocabulary, rng: random.Random) -> str:
    """The same phrasing with the subject's words changed: every word beyond the 1,000 most
    frequent replaced by another such word, as a group's papers written to one template."""
    common = set(vocabulary.words[:1000])
    tail = vocabulary.words[1000:]

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        return word if word.lower() in common else rng.choice(tail)

    return re.sub(r"[A-Za-z][A-Za-z-]{2,}", swap, text)


def listing_like(number: int, **changes: object) -> dict[str, object]:
    entry = generate_arxiv.listing(number)
    entry.update(changes)
    return entry


def family(i: int, vocabulary: generate_arxiv.Vocabulary) -> dict[str, dict[str, object]]:
    """Paper P, its indexed look-alikes (same authors, same title template) and its unindexed
    near twins (sequel, workshop version)."""
    rng = random.Random(1_000 + i)
    base = FAMILY_START + 10 * i
    paper = generate_arxiv.listing(base)
    title = " ".join(str(paper["title"]).split())
    abstract = str(paper["abstract"])
    same = {k: paper[k] for k in ("authors", "authors_parsed", "submitter", "versions", "update_date")}
    other_title = " ".join(
        w
        if w.lower() in STOP or w in generate_arxiv.ADJECTIVES or w.startswith("$")
        else noun(vocabulary, rng)
        for w in title.split()
    )
    return {
        "paper": paper,
        "same-authors": listing_like(base + 1, **same, abstract=template_of(abstract, vocabulary, rng)),
        "same-template": listing_like(
            base + 2, title=other_title, abstract=template_of(abstract, vocabulary, rng)
        ),
        "sequel": listing_like(
            base + 3,
            **same,
            title=f"{title} {rng.choice((2, 3))}",
            abstract=template_of(abstract, vocabulary, rng),
        ),
        "workshop": listing_like(
            base + 4,
            **same,
            title=f"{title} (Workshop Version)",
            abstract=template_of(abstract, vocabulary, rng),
        ),
    }


INDEXED = ("paper", "same-authors", "same-template")
TWINS = ("sequel", "workshop")


# --- the four classes --------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s.strip()]


def noun(vocabulary: generate_arxiv.Vocabulary, rng: random.Random, title: str = "") -> str:
    """A title word that is not a function word, nor already in ``title``."""
    word = vocabulary.noun(rng)
    while word.lower() in STOPWORDS or word.lower() in title.lower().split():
        word = vocabulary.noun(rng)
    return word


def older_title(title: str, vocabulary: generate_arxiv.Vocabulary, rng: random.Random) -> str:
    """The title with one phrase changed: a content word replaced, or its last word reworded."""
    words = title.split()
    content = [k for k, w in enumerate(words) if w.lower().strip(":") not in STOP and not w.startswith("$")]
    if rng.random() < 0.7 or len(content) < 3:
        k = rng.choice(content)
        words[k] = noun(vocabulary, rng, title) + (":" if words[k].endswith(":") else "")
        return " ".join(words)
    return " ".join(
        words[: content[-1]]
        + [rng.choice(("in", "for", "with")), noun(vocabulary, rng, title), noun(vocabulary, rng, title)]
    )


def other_version_abstract(text: str, vocabulary: generate_arxiv.Vocabulary, rng: random.Random) -> str:
    """Another version's abstract: one common word in twenty replaced, one sentence rewritten
    (its clauses reordered, one common word in four replaced, its technical terms kept), one
    dropped or two swapped, one sentence added."""
    parts = sentences(text)
    common = vocabulary.words[:3000]
    known = set(common)

    def edit(sentence: str, rate: float) -> str:
        return " ".join(
            rng.choice(common) if w.lower() in known and rng.random() < rate else w for w in sentence.split()
        )

    edited = [edit(s, 0.05) for s in parts]
    k = rng.randrange(len(edited))
    words = parts[k].rstrip(".").split()
    cut = rng.randrange(1, len(words)) if len(words) > 1 else 0
    edited[k] = edit(" ".join(words[cut:] + words[:cut]), 0.25).capitalize() + "."
    if len(edited) > 3 and rng.random() < 0.5:
        del edited[rng.randrange(1, len(edited))]
    elif len(edited) > 2:
        j = rng.randrange(len(edited) - 1)
        edited[j], edited[j + 1] = edited[j + 1], edited[j]
    edited.insert(rng.randrange(len(edited) + 1), " ".join(vocabulary.sample(rng, 15)).capitalize() + ".")
    return " ".join(edited)


def part_abstract(text: str, rng: random.Random) -> str:
    """The first sentences (30 words or more), or the abstract without its middle."""
    parts = sentences(text)
    if rng.random() < 0.5 or len(parts) < 4:
        taken: list[str] = []
        while parts and sum(len(s.split()) for s in taken) < 30:
            taken.append(parts.pop(0))
        return " ".join(taken)
    middle = len(parts) // 2
    return " ".join(parts[: middle - 1] + parts[middle + 1 :])


def query(kind: str, paper: Record, vocabulary: generate_arxiv.Vocabulary, rng: random.Random) -> Record:
    record = Record(type="article")
    if kind == "title-alone":
        record.title = paper.title
    elif kind == "older-title":
        record.title = older_title(paper.title, vocabulary, rng)
        record.author = [Name(family=a.family, given=a.given) for a in paper.author]
        record.issued = Date((paper.year,)) if paper.year else None
    elif kind == "other-abstract":
        record.abstract = other_version_abstract(paper.abstract, vocabulary, rng)
    else:
        record.abstract = part_abstract(paper.abstract, rng)
    return record


def long_title(title: str, tail: set[str], real: bool) -> bool:
    """The title-alone class: long, distinctive titles (judged without the index's statistics)."""
    words = [w for w in re.findall(r"[A-Za-z0-9-]+", title.lower()) if w not in STOP]
    return len(words) >= 5 if real else len(words) >= 3 and bool(tail.intersection(words))


def phrased(title: str) -> bool:
    """The older-title class: titles of three content words or more (in a shorter one, a changed
    phrase is a changed title)."""
    return len([w for w in re.findall(r"[A-Za-z0-9-]+", title.lower()) if w not in STOP]) >= 3


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Query:
    record: Record
    kind: str
    origin: str
    """``snapshot``, ``generated`` or the near twin it was made from."""
    truth: str | None


def build(families: int, vocabulary: generate_arxiv.Vocabulary) -> tuple[Path, list[Query]]:
    rng = random.Random(11)
    tail = rare_words(vocabulary)
    lines, queries = [], []
    numbers = iter(range(10**6))
    for kind in CLASSES:
        made = 0
        while made < families:
            members = family(next(numbers), vocabulary)
            paper = arxiv_bulk_to_record(members["paper"])
            if (
                not long_title(paper.title, tail, real=False)
                if kind == "title-alone"
                else kind == "older-title" and not phrased(paper.title)
            ):
                continue
            made += 1
            lines += [json.dumps(members[m], ensure_ascii=False) for m in INDEXED]
            queries.append(Query(query(kind, paper, vocabulary, rng), kind, "generated", paper.arxiv_id))
            for twin in TWINS:
                twin_paper = arxiv_bulk_to_record(members[twin])
                queries.append(Query(query(kind, twin_paper, vocabulary, rng), kind, twin, None))
    snapshot = [
        arxiv_bulk_to_record(json.loads(line))
        for line in (METADATA / "arxiv.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    for paper in snapshot:
        for kind in CLASSES:
            if (
                kind == "title-alone"
                and not long_title(paper.title, tail, real=True)
                or kind == "older-title"
                and not phrased(paper.title)
            ):
                continue
            if kind != "title-alone" and not (paper.abstract if "abstract" in kind else paper.author):
                continue
            queries.append(Query(query(kind, paper, vocabulary, rng), kind, "snapshot", paper.arxiv_id))
    path = WORK / f"recall-families-{families}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, queries


def run(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def index(records: int, families_path: Path) -> Path:
    """The corpus and the snapshot, indexed once (kept in ``bench/.work/``), then the families
    added (an update when they are there already)."""
    path = WORK / f"recall-index-{records}.sqlite"
    if not path.exists():
        corpus = WORK / f"arxiv-{records}.jsonl"
        if not corpus.exists():
            print(f"generating {records:,} listings into {corpus} …", flush=True)
            generate_arxiv.write(corpus, records)
        seconds = run(
            [
                *CITEKIT,
                "index",
                "add",
                "--index",
                str(path),
                str(corpus),
                *map(str, sorted(METADATA.glob("*.json*"))),
            ]
        )
        print(f"indexed {records:,} listings and the snapshot in {seconds:.0f} s", flush=True)
    run([*CITEKIT, "index", "add", "--index", str(path), str(families_path)])
    return path


def snapshot_index() -> Path:
    """The snapshot alone: the real papers' queries are matched against it, because the generated
    corpus draws its commonest words from the snapshot's papers (none of their words is rare there)."""
    path = WORK / "recall-index-snapshot.sqlite"
    for stale in WORK.glob(path.name + "*"):
        stale.unlink()
    run([*CITEKIT, "index", "add", "--index", str(path), *map(str, sorted(METADATA.glob("*.json*")))])
    return path


def match(queries: list[Query], index_path: Path, name: str) -> list[str | None]:
    records = []
    for position, q in enumerate(queries):
        q.record.key = f"q{position:05d}"
        records.append(q.record)
    bib, out, report = (WORK / f"recall-{name}.{suffix}" for suffix in ("bib", "matched.json", "report.json"))
    bib.write_text(bibtex.write(records), encoding="utf-8")
    seconds = run(
        [
            *CITEKIT,
            "enrich",
            str(bib),
            "-o",
            str(out),
            "--sources",
            "local",
            "--index",
            str(index_path),
            "--report",
            str(report),
        ]
    )
    print(f"matched {len(queries):,} queries in {seconds:.0f} s", flush=True)
    entries = sorted(
        json.loads(report.read_text(encoding="utf-8"))["records"], key=lambda e: e["input"]["index"]
    )
    assert len(entries) == len(queries), "the report accounts for every query"
    return [e["ids"]["arxiv"] if e["status"] == "matched" else None for e in entries]


def table(queries: list[Query], got: list[str | None]) -> list[str]:
    rows = [
        "| class | queries (snapshot + generated) | recall | near-twin queries | ids given | wrong ids | precision |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in CLASSES:
        mine = [(q, g) for q, g in zip(queries, got, strict=True) if q.kind == kind]
        positives = [(q, g) for q, g in mine if q.truth is not None]
        twins = len(mine) - len(positives)
        right = sum(g == q.truth for q, g in positives)
        given = sum(g is not None for _, g in mine)
        wrong = given - right
        by_origin = Counter(q.origin for q, _ in positives)
        rows.append(
            f"| {kind} | {len(positives)} ({by_origin['snapshot']} + {by_origin['generated']}) | "
            f"{right / len(positives):.1%} | {twins} | {given} | {wrong} | "
            f"{right / given if given else 1:.1%} |"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--families", type=int, default=250, help="generated papers per class")
    parser.add_argument("--misses", type=int, default=0, help="print this many missed or wrong queries")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    vocabulary = generate_arxiv.vocabulary_for(1)
    families_path, queries = build(args.families, vocabulary)
    snapshot = [q for q in queries if q.origin == "snapshot"]
    generated = [q for q in queries if q.origin != "snapshot"]
    found = dict(zip(map(id, snapshot), match(snapshot, snapshot_index(), "snapshot"), strict=True))
    found.update(
        zip(
            map(id, generated), match(generated, index(args.records, families_path), "generated"), strict=True
        )
    )
    got = [found[id(q)] for q in queries]
    print("\n".join(table(queries, got)))
    shown = 0
    for q, g in zip(queries, got, strict=True):
        if g != q.truth and shown < args.misses:
            shown += 1
            print(
                f"{q.kind} {q.origin} truth={q.truth} got={g}: {q.record.title or q.record.abstract[:100]!r}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

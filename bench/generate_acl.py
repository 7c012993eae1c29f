"""A corpus in the style of ACL Anthology's bulk BibTeX (``anthology+abstracts.bib.gz``).

As the Anthology writes it (https://aclanthology.org/anthology+abstracts.bib.gz): an
``@proceedings`` entry per volume, then its papers as ``@inproceedings`` with the volume's full
title as ``booktitle``; double-quoted values, ``author`` lists broken over lines with two spaces
before ``and``, ``month`` as a macro, ``url`` on aclanthology.org, ``doi`` under 10.18653, ``pages``
with ``--``, and an ``abstract``. Keys are the Anthology's (``smith-etal-2021-word``). Titles and
abstracts come from the same vocabulary as the arXiv corpus (``generate_arxiv.py``).

    python bench/generate_acl.py 130000 -o bench/.work/anthology+abstracts.bib.gz
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_arxiv

EVENTS = [
    (
        "acl",
        "main",
        "Proceedings of the {n}th Annual Meeting of the Association for Computational Linguistics "
        "(Volume 1: Long Papers)",
        "long",
    ),
    (
        "emnlp",
        "main",
        "Proceedings of the {y} Conference on Empirical Methods in Natural Language Processing",
        "main",
    ),
    (
        "naacl",
        "main",
        "Proceedings of the {y} Conference of the North American Chapter of the Association for "
        "Computational Linguistics: Human Language Technologies (Volume 1: Long Papers)",
        "long",
    ),
    ("findings", "acl", "Findings of the Association for Computational Linguistics: ACL {y}", "acl"),
    (
        "eacl",
        "main",
        "Proceedings of the {n}th Conference of the European Chapter of the Association for "
        "Computational Linguistics",
        "main",
    ),
    ("wmt", "1", "Proceedings of the {n}th Conference on Machine Translation", "1"),
]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
VOLUME_SIZE = 400


def _person(rng: random.Random) -> tuple[str, str]:
    _, (family, given, _) = generate_arxiv.author(rng)
    return family, given  # TeX accents in braces (``J{\\"u}rgen``), as the Anthology writes them


def _names(people: list[tuple[str, str]]) -> str:
    return "  and\n      ".join(f"{family}, {given}" for family, given in people)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def entries(count: int, seed: int = 11) -> Iterator[str]:
    rng = random.Random(seed)
    vocabulary = generate_arxiv.vocabulary_for(seed)
    written = volume = 0
    while written < count:
        volume += 1
        event, part, pattern, code = EVENTS[volume % len(EVENTS)]
        year = 2000 + volume % 25
        title = pattern.format(n=volume % 60 + 1, y=year)
        month = rng.choice(MONTHS)
        anthology = f"{year}.{event}-{part}{volume}"  # unique: events and years repeat
        yield (
            f"@proceedings{{{event}-{year}-{volume},\n"
            f'    title = "{title}",\n    editor = "{_names([_person(rng) for _ in range(3)])}",\n'
            f'    month = {month},\n    year = "{year}",\n    address = "Online",\n'
            f'    publisher = "Association for Computational Linguistics",\n'
            f'    url = "https://aclanthology.org/{anthology}.0",\n}}\n\n'
        )
        page = 1
        for number in range(1, min(VOLUME_SIZE, count - written) + 1):
            written += 1
            people = [_person(rng) for _ in range(rng.choice((1, 2, 3, 3, 4, 5, 6)))]
            paper = generate_arxiv.title(vocabulary, rng).replace("$", "")
            first_word = _slug(paper.split()[0]) or "paper"
            etal = "etal" if len(people) > 2 else _slug(people[1][0]) if len(people) == 2 else ""
            key = "-".join(filter(None, [_slug(people[0][0]), etal, str(year), first_word, str(written)]))
            length = rng.randint(5, 14)
            abstract = " ".join(
                " ".join(vocabulary.sample(rng, rng.randint(10, 25))).capitalize() + "."
                for _ in range(rng.randint(3, 7))
            )
            yield (
                f'@inproceedings{{{key},\n    title = "{paper}",\n    author = "{_names(people)}",\n'
                f'    booktitle = "{title}",\n    month = {month},\n    year = "{year}",\n'
                f'    address = "Online",\n    publisher = "Association for Computational Linguistics",\n'
                f'    url = "https://aclanthology.org/{anthology}.{number}",\n'
                f'    doi = "10.18653/v1/{anthology}.{number}",\n    pages = "{page}--{page + length}",\n'
                f'    abstract = "{abstract}",\n}}\n\n'
            )
            page += length + 1


def write(path: Path, count: int, seed: int = 11) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as binary,
        io.TextIOWrapper(binary, encoding="utf-8") as out,
    ):
        for entry in entries(count, seed):
            out.write(entry)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    print(write(args.output, args.count))
    return 0


if __name__ == "__main__":
    sys.exit(main())

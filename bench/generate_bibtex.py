"""A deterministic generator of realistic BibTeX, for the convert benchmark and streaming tests.

The entries look like what researchers' ``.bib`` files hold: ``@article`` and ``@inproceedings``
with pages, DOIs and URLs; arXiv preprints both as arXiv exports them (``@misc`` with ``eprint``,
``archivePrefix``, ``primaryClass``) and as Google Scholar does (``@article`` with ``journal =
{arXiv preprint arXiv:…}``); LaTeX accents (``{\\"o}``, ``\\'e``, ``{\\c c}``), inline math
(``$O(n^2)$``, ``$\\alpha$``), protective braces (``{BERT}``), long author lists (some with 30+
authors, some ending in ``and others``), particles (``van der``, ``de la``), ``@string`` macros
and comments. The same seed and size give the same bytes.

Usage::

    python bench/generate_bibtex.py 5000 -o refs.bib [--seed 5]

or, from Python, ``generate(5000, seed=5)`` (text) / ``write_file(path, 5000)``.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

GIVEN = [
    "Herv{\\'e}",
    "J\\'er\\^ome",
    "Ji{\\v{r}}{\\'\\i}",
    "Fran{\\c c}ois",
    'J{\\"u}rgen',
    'Bj{\\"o}rn',
    "Ashish",
    "Noam",
    "Niki",
    "Jakob",
    "Llion",
    "Aidan",
    "{\\L}ukasz",
    "Illia",
    "Yann",
    "L{\\'e}on",
    "Yoshua",
    "Geoffrey",
    "Kaiming",
    "Xiangyu",
    "Shaoqing",
    "Jian",
    "Diederik",
    "Jimmy",
    "Sergey",
    "Christian",
    "Alec",
    "Ilya",
    "Tom",
    "Dario",
    "Mar{\\'\\i}a",
    "Jos{\\'e}",
    "Andr{\\'e}s",
    'Zo{\\"e}',
    "Søren",
    "Ay{\\c{s}}e",
    "O{\\u{g}}uz",
    "Chlo{\\'e}",
    "Mat{\\'\\i}as",
    "Hanna",
    "Wei",
    "Xin",
    "Yu",
]
FAMILY = [
    "J{\\'e}gou",
    "Vaswani",
    "Shazeer",
    "Parmar",
    "Uszkoreit",
    "Jones",
    "Gomez",
    "Kaiser",
    "Polosukhin",
    "LeCun",
    "Bottou",
    "Bengio",
    "Hinton",
    "He",
    "Zhang",
    "Ren",
    "Sun",
    "Kingma",
    "Ba",
    "Ioffe",
    "Szegedy",
    "Radford",
    "Sutskever",
    "Brown",
    "Amodei",
    'M{\\"u}ller',
    "Schmidhuber",
    'Sch{\\"o}lkopf',
    "Garc{\\'\\i}a",
    "Mart{\\'\\i}nez",
    "Erd{\\H{o}}s",
    "{\\v{S}}koda",
    "Nov{\\'a}k",
    "Wang",
    "Li",
    "Chen",
    "Liu",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Kumar",
    "Singh",
]
PARTICLES = ["van der", "van", "de la", "de", "von", "van den", "di", "da"]
PARTICLE_FAMILY = ["Maaten", "Schaar", "Torre", "Oord", "Fuente", "Neumann", "Hoeven", "Silva", "Luxburg"]
ORGS = ["{OpenAI}", "{Mistral AI}", "{The ATLAS Collaboration}", "{Google DeepMind}"]

WORDS = [
    "learning",
    "networks",
    "deep",
    "representations",
    "attention",
    "transformers",
    "graph",
    "optimization",
    "stochastic",
    "gradient",
    "inference",
    "bayesian",
    "neural",
    "models",
    "language",
    "vision",
    "retrieval",
    "quantization",
    "search",
    "nearest",
    "neighbor",
    "embedding",
    "scalable",
    "efficient",
    "robust",
    "adversarial",
    "generative",
    "diffusion",
    "contrastive",
    "self-supervised",
    "sparse",
    "kernel",
    "convex",
    "approximate",
    "billion-scale",
    "similarity",
    "product",
    "training",
]
ACRONYMS = [
    "{BERT}",
    "{GPT}-3",
    "{ImageNet}",
    "{ResNet}",
    "{LSTM}",
    "{CNN}s",
    "{ViT}",
    "{CLIP}",
    "{GAN}s",
    "{FAISS}",
    "{DeiT}",
    "{ReLU}",
]
MATH = [
    "$O(n^2)$",
    "$\\alpha$",
    "$\\ell_1$",
    "$k$",
    "$\\epsilon$-greedy",
    "$O(\\log n)$",
    "$\\mathbb{R}^d$",
    "$\\beta$-{VAE}",
    "$L^2$",
]
ACCENTED_WORDS = [
    'na{\\"\\i}ve',
    "caf{\\'e}",
    "r{\\'e}sum{\\'e}",
    "{\\c c}a",
    "fa{\\c{c}}ade",
    "\\'etude",
    'Schr{\\"o}dinger',
    '{\\"U}ber',
]

JOURNALS = [
    ("tpami", "IEEE Transactions on Pattern Analysis and Machine Intelligence"),
    ("jmlr", "Journal of Machine Learning Research"),
    ("nature", "Nature"),
    ("tacl", "Transactions of the Association for Computational Linguistics"),
    ("ijcv", "International Journal of Computer Vision"),
]
CONFERENCES = [
    "Advances in Neural Information Processing Systems",
    "Proceedings of the {IEEE} Conference on Computer Vision and Pattern Recognition ({CVPR})",
    "International Conference on Learning Representations",
    "Proceedings of the 40th International Conference on Machine Learning",
    "Proceedings of the 2019 Conference of the North {A}merican Chapter of the {ACL}",
    "European Conference on Computer Vision ({ECCV})",
]
PUBLISHERS = ["{IEEE}", "Curran Associates, Inc.", "Springer", "{ACM}", "PMLR"]
CLASSES = ["cs.LG", "cs.CL", "cs.CV", "stat.ML", "cs.IR", "math.OC", "hep-th", "quant-ph", "cs.AI"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def generate(count: int, seed: int = 5) -> str:
    """``count`` entries (plus a few @string/@comment/@preamble blocks) as one BibTeX text."""
    return "".join(blocks(count, seed))


def write_file(path: str | Path, count: int, seed: int = 5) -> Path:
    """Write ``count`` entries to ``path``, block by block (the generator holds nothing big)."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        for block in blocks(count, seed):
            stream.write(block)
    return path


def blocks(count: int, seed: int = 5) -> Iterator[str]:
    """The file's blocks in order: a header, then entries with the odd macro or comment between."""
    rng = random.Random(seed)
    yield "% Generated by citekit bench/generate_bibtex.py\n% seed " + str(seed) + "\n\n"
    yield '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n\n'
    for abbrev, name in JOURNALS:
        yield f'@string{{{abbrev} = "{name}"}}\n'
    yield "\n"
    used: set[str] = set()
    venues: list[str] = []
    for number in range(1, count + 1):
        roll = rng.random()
        if roll < 0.01:
            yield f"@comment{{checked by hand, batch {number}}}\n\n"
        elif roll < 0.02:
            yield f"% section {number}: entries imported from a reference manager\n\n"
        elif roll < 0.025:
            venues.append(f"venue{number}")
            yield f'@string{{{venues[-1]} = "Workshop on {rng.choice(WORDS).capitalize()}"}}\n\n'
        yield _entry(rng, number, used, venues) + "\n\n"


def _entry(rng: random.Random, number: int, used: set[str], venues: list[str]) -> str:
    kind = rng.choices(
        ["article", "inproceedings", "arxiv-misc", "arxiv-article", "book", "thesis"],
        weights=[35, 30, 15, 12, 4, 4],
    )[0]
    authors = _authors(rng)
    year = rng.randint(1985, 2026)
    title = _title(rng)
    key = _key(rng, authors, year, title, used)
    fields: list[tuple[str, str]] = [("author", "{" + authors + "}"), ("title", "{" + title + "}")]
    if kind == "article":
        abbrev, name = rng.choice(JOURNALS)
        fields.append(("journal", abbrev if rng.random() < 0.3 else "{" + name + "}"))
        fields += [
            ("volume", "{" + str(rng.randint(1, 60)) + "}"),
            ("number", "{" + str(rng.randint(1, 12)) + "}"),
        ]
        fields += _pages(rng) + [("year", "{" + str(year) + "}")] + _month(rng) + _doi_url(rng, number)
    elif kind == "inproceedings":
        macro = venues and rng.random() < 0.2
        venue = rng.choice(venues) + ' # " 2024"' if macro else "{" + rng.choice(CONFERENCES) + "}"
        fields.append(("booktitle", venue))
        fields += _pages(rng) + [("year", str(year)), ("publisher", "{" + rng.choice(PUBLISHERS) + "}")]
        fields += _doi_url(rng, number) if rng.random() < 0.6 else []
    elif kind in ("arxiv-misc", "arxiv-article"):
        year = max(year, 2007)
        serial = f"{rng.randint(1, 29999):05d}" if year >= 2015 else f"{rng.randint(1, 9999):04d}"
        ident = f"{year % 100:02d}{rng.randint(1, 12):02d}.{serial}"
        category = rng.choice(CLASSES)
        if kind == "arxiv-misc":
            fields += [
                ("year", "{" + str(year) + "}"),
                ("eprint", "{" + ident + "}"),
                ("archivePrefix", "{arXiv}"),
                ("primaryClass", "{" + category + "}"),
            ]
            kind = "misc"
        else:
            fields += [("journal", "{arXiv preprint arXiv:" + ident + "}"), ("year", "{" + str(year) + "}")]
            kind = "article"
        if rng.random() < 0.5:
            fields.append(("url", "{https://arxiv.org/abs/" + ident + "}"))
    elif kind == "book":
        fields += [
            ("publisher", "{" + rng.choice(PUBLISHERS) + "}"),
            ("address", "{Cambridge, MA}"),
            ("year", "{" + str(year) + "}"),
            ("isbn", "{978-0-262-" + f"{number % 100000:05d}" + "-1}"),
        ]
    else:
        fields += [("school", "{Universit{\\'e} de Rennes~1}"), ("year", "{" + str(year) + "}")]
        kind = "phdthesis"
    if rng.random() < 0.15:
        fields.append(("abstract", "{" + _abstract(rng) + "}"))
    if rng.random() < 0.05:
        fields.append(("note", "{Code at \\url{https://github.com/x/y}}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def _authors(rng: random.Random) -> str:
    size = rng.choices([1, 2, 3, 4, 6, 9, 35], weights=[10, 20, 25, 20, 12, 8, 5])[0]
    names = [_name(rng) for _ in range(size)]
    if rng.random() < 0.06:
        names.append("others")
    return " and ".join(names)


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        return rng.choice(ORGS)
    if roll < 0.12:
        return f"{rng.choice(PARTICLES)} {rng.choice(PARTICLE_FAMILY)}, {rng.choice(GIVEN)}"
    if roll < 0.55:
        return f"{rng.choice(FAMILY)}, {rng.choice(GIVEN)}"
    if roll < 0.6:
        return f"{rng.choice(FAMILY)}, Jr., {rng.choice(GIVEN)}"
    initial = rng.choice("ABCDEFGHJKLMNPRSTW")
    return f"{rng.choice(GIVEN)} {initial}. {rng.choice(FAMILY)}"


def _title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 10))]
    if rng.random() < 0.35:
        words.insert(rng.randrange(len(words)), rng.choice(ACRONYMS))
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), rng.choice(MATH))
    if rng.random() < 0.1:
        words.insert(rng.randrange(len(words)), rng.choice(ACCENTED_WORDS))
    if rng.random() < 0.05:
        words.append("\\& beyond")
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _abstract(rng: random.Random) -> str:
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
        for _ in range(rng.randint(3, 7))
    ]
    if rng.random() < 0.3:
        sentences.insert(1, f"We reach {rng.randint(50, 99)}\\% accuracy in {rng.choice(MATH)} time.")
    return " ".join(sentences)


def _pages(rng: random.Random) -> list[tuple[str, str]]:
    if rng.random() < 0.15:
        return []
    start = rng.randint(1, 3000)
    return [("pages", "{" + f"{start}--{start + rng.randint(3, 40)}" + "}")]


def _month(rng: random.Random) -> list[tuple[str, str]]:
    return [("month", rng.choice(MONTHS))] if rng.random() < 0.4 else []


def _doi_url(rng: random.Random, number: int) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    if rng.random() < 0.7:
        fields.append(("doi", "{10." + str(rng.randint(1000, 9999)) + f"/bench.{number}" + "}"))
    if rng.random() < 0.3:
        fields.append(("url", "{https://example.org/papers/" + str(number) + "}"))
    return fields


def _key(rng: random.Random, authors: str, year: int, title: str, used: set[str]) -> str:
    """``family2020word``, as tools write them; one in 500 repeats an earlier key (citekit must cope)."""
    first = authors.split(" and ")[0]
    family = first.split(",")[0] if "," in first else first.split()[-1]
    slug = "".join(c for c in family.lower() if c.isascii() and c.isalpha()) or "anon"
    word = "".join(c for c in title.split()[0].lower() if c.isascii() and c.isalpha())
    key = f"{slug}{year}{word}"
    if used and rng.random() < 0.002:
        return rng.choice(sorted(used)[:50])
    while key in used:
        key += "x"
    used.add(key)
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of entries")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    if args.output:
        write_file(args.output, args.count, args.seed)
    else:
        for block in blocks(args.count, args.seed):
            sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())

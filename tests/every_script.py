"""A large, realistic library in every script and of every type, generated deterministically.

For the LaTeX consumer tests (``tests/test_consumers.py``): names and titles in Latin with accents
(French, German, Polish, Czech, Hungarian, Turkish, Vietnamese), Cyrillic, Greek, CJK, with
particles, suffixes and organisations; titles with inline math, LaTeX specials, dashes, words
whose case matters and CSL rich text (italics, bold, sub- and superscripts, small caps); journal
and conference papers, chapters (with and without editors), books, theses, reports, manuscripts,
preprints, web pages, datasets, software and types with no BibTeX
equivalent. Every record is complete for its type, as a real one would be, so that any warning from
bibtex or biber is the writer's fault.
"""

from __future__ import annotations

import random

from citekit.model import Date, Name, Record

PEOPLE = (
    ("Jégou", "Hervé"),
    ("Rozière", "Baptiste"),
    ("Müller", "Jörg"),
    ("Straße", "Anna"),
    ("Miłoś", "Piotr"),
    ("Dvořák", "Antonín"),
    ("Erdős", "Pál"),
    ("Oğuz", "Barlas"),
    ("Çağlar", "Gülçehre"),
    ("Nguyễn", "Thị Minh"),
    ("Ørsted", "Hans Christian"),
    ("Núñez", "José María"),
    ("Jäger", "Zoë"),
    ("Łukasiewicz", "Jan"),
    ("Чайковский", "Пётр Ильич"),
    ("Достоевский", "Фёдор"),
    ("Колмогоров", "Андрей"),
    ("Παπαδόπουλος", "Γιώργος"),
    ("Καραθεοδωρή", "Κωνσταντίνος"),
    ("山田", "太郎"),
    ("王", "小明"),
    ("김", "민준"),
    ("鈴木", "花子"),
    ("Smith", "John"),
    ("O'Neil", "Cathy"),
    ("d'Ascoli", "Stéphane"),
)
PARTICLES = (("van der", "Schaar", "Mihaela"), ("de las", "Casas", "Diego"), ("von", "Platen", "Patrick"))
ORGANISATIONS = ("Mistral-AI", "Google DeepMind", "AT&T Labs", "Московский университет", "国立情報学研究所")
TITLE_WORDS = (
    "Delaunay",
    "triangulation",
    "of",
    "Fourier",
    "features",
    "for",
    "Bayesian",
    "networks",
    "in",
    "Paris",
    "BERT",
    "iPhone",
    "ReLU",
    "ImageNet",
    "learning",
    "retrieval",
    "Déjà",
    "vu",
    "Łódź",
    "Zürich",
    "naïve",
    "графов",
    "нейронные",
    "сети",
    "θεωρία",
    "μάθησης",
    "深層学習",
    "の",
    "理論",
    "Zero–Shot",
    "long—range",
    "C++",
    "50%",
    "Q&A",
    "snake_case",
    "x^y",
    "a~b",
    "#1",
    "$O(n \\log n)$",
    "$\\alpha$-entmax",
    "$κ^\\star$",
    "$p < 10^{-5}$",
    "GPT-3",
    "t-SNE",
    "3D",
    "Erdős",
    "Dvořák",
    "<i>in vivo</i>",
    "H<sub>2</sub>O",
    "x<sup>2</sup>",
    "<b>not</b>",
    '<span style="font-variant:small-caps;">Conniver</span>',
)
JOURNALS = (
    "Journal of Machine Learning Research",
    "Transactions on Machine Learning Research",
    "Вестник Московского университета",
    "情報処理学会論文誌",
    "Nature",
)
PROCEEDINGS = (
    "Proceedings of the International Conference on Machine Learning",
    "Advances in Neural Information Processing Systems",
    "Actes de la conférence CAp",
    "Proceedings of ACL",
)
PUBLISHERS = ("Springer", "ACM", "MIT Press", "Éditions du Seuil", "Наука", "岩波書店")
TYPES = (
    "article-journal",
    "paper-conference",
    "chapter",
    "book",
    "thesis",
    "report",
    "manuscript",
    "preprint",
    "webpage",
    "dataset",
    "software",
    "patent",
    "speech",
    "motion_picture",
    "legislation",
    "article-magazine",
    # Every other CSL type (a CSL "article" is a preprint here: one without an arXiv id is rare).
    "article-newspaper",
    "bill",
    "broadcast",
    "classic",
    "collection",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "map",
    "musical_score",
    "pamphlet",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "review",
    "review-book",
    "song",
    "standard",
    "treaty",
)


def every_script_records(count: int = 2000, seed: int = 15) -> list[Record]:
    rng = random.Random(seed)
    return [_record(rng, index, TYPES[index % len(TYPES)]) for index in range(count)]


def _name(rng: random.Random) -> Name:
    roll = rng.random()
    if roll < 0.06:
        return Name(literal=rng.choice(ORGANISATIONS))
    if roll < 0.14:
        particle, family, given = rng.choice(PARTICLES)
        return Name(family=family, given=given, non_dropping_particle=particle)
    family, given = rng.choice(PEOPLE)
    return Name(family=family, given=given, suffix="Jr." if roll > 0.98 else "")


def _title(rng: random.Random) -> str:
    title = " ".join(rng.sample(TITLE_WORDS, rng.randint(3, 8)))
    return title[:1].upper() + title[1:]


def _record(rng: random.Random, index: int, kind: str) -> Record:
    year = rng.randint(1950, 2026)
    date = Date((year, rng.randint(1, 12), rng.randint(1, 28))[: rng.randint(1, 3)])
    record = Record(
        type="article" if kind == "preprint" else kind,
        title=_title(rng),
        author=[_name(rng) for _ in range(rng.randint(1, 6))],
        issued=date,
        key=f"r{index:04d}",
        abstract=_title(rng) + ". " + _title(rng) + ".",
        language=rng.choice(("", "en", "ru", "ja")),
    )
    if kind == "collection":
        record.author, record.editor = [], record.author
    if kind in ("article-magazine", "article-newspaper"):
        record.container_title, record.page = rng.choice(("Wired", "Огонёк", "日経サイエンス")), "12-15"
    elif kind == "article-journal":
        record.container_title, record.volume, record.issue = (
            rng.choice(JOURNALS),
            str(rng.randint(1, 40)),
            "2",
        )
        record.page, record.doi = f"{rng.randint(1, 99)}-{rng.randint(100, 200)}", f"10.5555/j.{index}"
        record.publisher = rng.choice(PUBLISHERS)
    elif kind == "paper-conference":
        record.container_title, record.page = (
            rng.choice(PROCEEDINGS),
            f"{rng.randint(1, 9)}-{rng.randint(10, 20)}",
        )
        record.event_title, record.publisher = "ICML 2020", rng.choice(PUBLISHERS)
        record.arxiv_id = f"{rng.randint(15, 25)}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}"
    elif kind in ("chapter", "book", "classic", "collection"):
        record.publisher, record.publisher_place = (
            rng.choice(PUBLISHERS),
            rng.choice(("Paris", "Москва", "東京")),
        )
        record.isbn = "978-3-16-148410-0"
        if kind == "chapter":
            record.container_title = rng.choice(PROCEEDINGS).replace("Proceedings of", "Handbook of")
            record.editor = [_name(rng)] if index % 2 else []
            record.page = "11-42"
    elif kind in ("thesis", "report"):
        record.publisher = rng.choice(("Université Paris-Saclay", "Московский университет", "東京大学"))
        record.number = f"TR-{index}" if kind == "report" else ""
    elif kind == "manuscript":
        record.note = "Unpublished manuscript — " + rng.choice(PEOPLE)[0]
    elif kind == "preprint":
        record.arxiv_id = f"{rng.randint(15, 25)}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}"
        record.arxiv_class, record.publisher = "cs.LG", "arXiv"
    elif kind.startswith("entry"):
        record.container_title = rng.choice(("Encyclopedia of Machine Learning", "Большая энциклопедия"))
        record.editor, record.publisher = [_name(rng)], rng.choice(PUBLISHERS)
    elif kind == "pamphlet":
        record.publisher_place = rng.choice(("Paris", "Москва", "東京"))
    elif kind in ("webpage", "post", "post-weblog", "dataset", "software"):
        record.url, record.publisher = f"https://example.org/{index}?q=a_b%20c", rng.choice(PUBLISHERS)
    elif kind == "patent":
        record.number = f"US {rng.randint(1000000, 9999999)}"
    else:
        record.publisher = rng.choice(PUBLISHERS)
    return record

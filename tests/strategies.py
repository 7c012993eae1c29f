"""Hypothesis strategies for realistic bibliographic records (the cross-format round-trip tests).

Records look like what citekit meets in the wild: accented and particled names, organisations,
1 to 200 authors and "and others", titles with LaTeX specials, inline math and case-sensitive
words, the three CSL type families a paper has (journal article, conference paper, chapter) and
the arXiv preprint, and BibTeX-only fields kept in ``custom``.

They stay inside what every format can say, so that a failed round trip is a loss and not a
limit of a format:
- text is one line with single spaces (every writer folds line breaks; BibTeX squashes spaces);
- no ``$`` outside math (a pair of them is math by the model's convention);
- a family name starts with a capital or is one word (``d'Ascoli``): BibTeX and RIS read leading
  lower-case words as the particle (``van der``), which is how particles are generated;
- a custom field has a lower-case name (BibTeX field names are case-insensitive) that no format
  reads as one of its own fields, and a value with no backslash (BibTeX keeps custom values raw).
"""

from __future__ import annotations

from hypothesis import strategies as st

from citekit.model import Date, Name, Record

FAMILIES = (
    "Jégou",
    "Rozière",
    "Oğuz",
    "Mazaré",
    "d'Ascoli",
    "Schaar",
    "Douze",
    "Sablayrolles",
    "Touvron",
    "Miłoś",
    "Cronjäger",
    "Ørsted",
    "Héliou",
    "Lample",
    "Smith",
    "De Monicault",
    "Le Scao",
)
GIVENS = (
    "Hervé",
    "Baptiste",
    "Barlas",
    "Pierre-Emmanuel",
    "Stéphane",
    "Mihaela",
    "Albert Q.",
    "Jörg",
    "Amélie",
    "Piotr",
    "J.",
    "Khyathi Raghavi",
    "Zoë",
)
PARTICLES = ("van der", "von", "de", "de las", "van", "di")
ORGANISATIONS = (
    "Mistral-AI",
    "Meta AI",
    "Google DeepMind",
    "The LLaMA Team",
    "AT&T Labs",
    "OpenAI",
    "Allen Institute for AI",
    "BigScience Workshop",
)
SUFFIXES = ("Jr.", "III")

# Title pieces: words whose capitals a style must not change, accents, and the LaTeX specials.
WORDS = (
    "ReLU",
    "PyTorch",
    "ImageNet",
    "LLMs",
    "NEVIS'22",
    "Déjà Vu",
    "DeiT",
    "GPT-3",
    "Transformers",
    "Self-Attention",
    "Scaling",
    "laws",
    "for",
    "the",
    "of",
    "Oğuz",
    "Efficient",
    "retrieval",
    "3D",
    "Product",
    "Quantization",
    "t-SNE",
    "Zürich",
    "naïve",
    "façade",
    "Łódź",
    "Zero–Shot",
    "Model’s",
)
SPECIALS = (
    "&",
    "%",
    "#",
    "_",
    "~",
    "50%",
    "#1",
    "snake_case",
    "a~b",
    "Q&A",
    "C#",
    "{x}",
    "}",
    "{",
    "x^y",
    "a--b",
    "Москва",
    "東京",
    "Ἀθῆναι",
)
MATH = (
    r"$κ^\star$",
    r"$p < 10^{-55}$",
    r"$100\times$",
    r"$O(n \log n)$",
    r"$x_i^2$",
    r"$\alpha$-divergence",
    r"$κx$",
)
VENUES = (
    "Nature",
    "IEEE Transactions on Pattern Analysis & Machine Intelligence",
    "Proc. of CVPR",
    "Transactions on Machine Learning Research",
    "Advances in Neural Information Processing Systems",
    "Journal of Tests & Data",
    "Proceedings of the 38th International Conference on Machine Learning",
)
BOOKS = ("Advances in Mathematical Learning", "Handbook of Retrieval", "Lecture Notes in Computer Science")
DOIS = (
    "10.1109/CVPR.2015.7298594",
    "10.1109/TPAMI.2010.57",
    "10.1007/978-3-030-58452-8_13",
    "10.1000/a(b)c",
    "10.5555/3618408.3619002",
    "10.1145/3292500.3330701",
)
ARXIV_CLASSES = ("cs.CL", "cs.LG", "cs.CV", "stat.ML", "hep-th", "math.GT", "cs.AI")

# Fields an unknown .bib field must not be mistaken for, in any of the four formats.
_TAKEN = frozenset(
    "author editor title journal journaltitle booktitle series eventtitle volume number issue eid pages "
    "year date month day publisher school institution address location isbn issn doi eprint url language "
    "keywords note abstract archiveprefix eprinttype primaryclass eprintclass howpublished entrytype type "
    "arxiv arxiv_id arxiv_class arxiv_version authors_truncated provenance custom id key".split()
)
CUSTOM_NAMES = (
    "file",
    "langid",
    "annote",
    "groups",
    "timestamp",
    "biburl",
    "bibsource",
    "owner",
    "addendum",
    "pubstate",
    "edition",
    "shorthand",
)


def _one_line(pieces: list[str]) -> str:
    return " ".join(" ".join(pieces).split())


people = st.builds(
    Name,
    family=st.sampled_from(FAMILIES) | st.from_regex(r"\A[A-Z][a-zéèöü]{1,10}\Z"),
    given=st.sampled_from(GIVENS) | st.from_regex(r"\A[A-Z][a-z]{1,8}\Z"),
    non_dropping_particle=st.sampled_from(("",) * 4 + PARTICLES),
    suffix=st.sampled_from(("",) * 8 + SUFFIXES),
) | st.builds(Name, family=st.sampled_from([f for f in FAMILIES if " " not in f]))
"""People as papers list them. A name with no given name has no particle and a one-word family name:
``test_roundtrip`` shows what BibTeX does to the others."""
organisations = st.builds(Name, literal=st.sampled_from(ORGANISATIONS))
creators = st.one_of(people, people, people, organisations)


@st.composite
def author_lists(draw: st.DrawFn) -> list[Name]:
    """1 to 200 creators: mostly a handful, sometimes a big-collaboration list."""
    size = draw(st.sampled_from((1, 2, 3, 5, 8, 30, 167, 200)))
    pool = draw(st.lists(creators, min_size=1, max_size=min(size, 12)))
    return [pool[i % len(pool)] for i in range(size)]


dates = st.tuples(st.integers(1950, 2030), st.integers(1, 12), st.integers(1, 28)).flatmap(
    lambda ymd: st.sampled_from([Date(ymd[:1]), Date(ymd[:2]), Date(ymd)])
)

titles = st.lists(
    st.sampled_from(WORDS) | st.sampled_from(SPECIALS) | st.sampled_from(MATH), min_size=1, max_size=10
).map(_one_line)
abstracts = st.lists(
    st.sampled_from(WORDS + SPECIALS + MATH + ("We show", "gains.", "(see §2)")), min_size=3, max_size=30
).map(_one_line)
arxiv_ids = st.tuples(st.integers(7, 26), st.integers(1, 12), st.integers(1, 99999)).map(
    lambda t: f"{t[0]:02d}{t[1]:02d}.{t[2]:05d}" if t[0] >= 15 else f"{t[0]:02d}{t[1]:02d}.{t[2] % 10000:04d}"
) | st.sampled_from(("hep-th/9901001", "math.GT/0309136", "cond-mat/0102536"))
custom_names = st.sampled_from(CUSTOM_NAMES) | st.from_regex(r"\A[a-z][a-z0-9_]{1,10}\Z").filter(
    lambda name: name not in _TAKEN
)
custom_values = st.lists(
    st.sampled_from(
        (
            "english",
            "x, y",
            "2021-05-04 10:00",
            "https://dblp.org/rec/x.bib",
            "C:/Papers/a.pdf",
            "dblp computer science bibliography",
            "50%",
            "A & B",
            "snake_case",
            "#1",
        )
    ),
    min_size=1,
    max_size=3,
).map(_one_line)
keys = st.from_regex(r"\A[a-z]{3,10}(19|20)[0-9]{2}[a-z]{2,8}\Z")


@st.composite
def venues(draw: st.DrawFn, kind: str) -> dict[str, str]:
    """Where a paper was published; a preprint has none of it."""
    if kind == "preprint":
        return {}
    return {
        "container_title": draw(st.sampled_from(BOOKS if kind == "chapter" else VENUES)),
        "volume": draw(st.sampled_from(("", "33", "139", "7"))),
        "issue": draw(st.sampled_from(("", "1", "12"))),
        "page": draw(st.sampled_from(("", "117-128", "10347-10357", "e1024", "1-20", "42"))),
        "doi": draw(st.sampled_from(("",) + DOIS)),
    }


@st.composite
def records(draw: st.DrawFn, key: str | None = None) -> Record:
    """A journal article, conference paper, chapter, or arXiv preprint (``article``, no venue)."""
    kind = draw(st.sampled_from(("article-journal", "paper-conference", "chapter", "preprint")))
    arxiv_id = draw(arxiv_ids) if kind == "preprint" or draw(st.booleans()) else ""
    return Record(
        type="article" if kind == "preprint" else kind,
        key=key if key is not None else draw(keys),
        title=draw(titles),
        author=draw(author_lists()),
        editor=draw(st.lists(people, max_size=2)) if kind == "chapter" else [],
        authors_truncated=draw(st.booleans()),
        issued=draw(dates | st.none()),
        arxiv_id=arxiv_id,
        arxiv_version=draw(st.none() | st.integers(1, 9)) if arxiv_id else None,
        arxiv_class=draw(st.sampled_from(("",) + ARXIV_CLASSES)) if arxiv_id else "",
        abstract=draw(st.just("") | abstracts),
        custom=draw(st.dictionaries(custom_names, custom_values, max_size=3)),
        **draw(venues(kind)),
    )


@st.composite
def record_lists(draw: st.DrawFn, max_size: int = 3) -> list[Record]:
    """One to ``max_size`` records with distinct keys (a repeated key is renamed by the writers)."""
    chosen = draw(st.lists(keys, min_size=1, max_size=max_size, unique=True))
    return [draw(records(key=key)) for key in chosen]


STRUCTURAL = (
    "{",
    "}",
    '"',
    "(",
    ")",
    "@",
    ",",
    "=",
    "#",
    "%",
    "\\",
    "\n",
    "[",
    "]",
    ":",
    "\r",
    "TY  - ",
    "ER  - ",
)
"""What near-valid input gets wrong: the characters that delimit entries, fields and items."""


@st.composite
def mutated(draw: st.DrawFn, texts: st.SearchStrategy[str], max_edits: int = 4) -> str:
    """A valid text with a few edits: a character deleted, or a structural one inserted.

    Random text rarely gets past a reader's first check; this reaches the code that handles an
    entry that is almost right (an unbalanced brace, a lost quote, a field cut short).
    """
    text = draw(texts)
    for _ in range(draw(st.integers(1, max_edits))):
        at = draw(st.integers(0, len(text)))
        if text and draw(st.booleans()):
            at = min(at, len(text) - 1)
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + draw(st.sampled_from(STRUCTURAL)) + text[at:]
    return text


def kept_fields(record: Record) -> dict[str, object]:
    """What a round trip through any format must keep (the arXiv class only means something with
    an id); each format's test adds what it keeps besides."""
    return {
        "title": record.title,
        "author": record.author,
        "editor": record.editor,
        "issued": record.issued,
        "container": record.container_title,
        "volume": record.volume,
        "issue": record.issue,
        "page": record.page,
        "doi": record.doi,
        "arxiv": (record.arxiv_id, record.arxiv_class),
        "abstract": record.abstract,
        "custom": record.custom,
        "type": record.type,
    }

"""A reference corpus in arXiv's bulk metadata format, as large as asked, the same for a given seed.

The words of titles and abstracts are drawn, by frequency, from the real listings in
``seeds/metadata/arxiv.jsonl`` plus a list of field vocabulary, so the full-text index sees
Zipf-like word counts (the common words it learns to ignore are really common). Authors come
from name pools across languages, some written with TeX accents and particles as arXiv's
``authors`` field has them (``M{\\"u}ller``, ``van der Berg``); a few papers have 30+ authors.
Each line has the bulk format's keys: ``id``, ``submitter``, ``authors``, ``title`` (wrapped),
``comments``, ``journal-ref``, ``doi``, ``categories``, ``abstract`` (wrapped, indented),
``versions``, ``update_date``, ``authors_parsed``.

    python bench/generate_arxiv.py 1000000 -o bench/.work/arxiv-1m.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "metadata" / "arxiv.jsonl"

FIELD_WORDS = """
learning neural network networks deep graph graphs model models transformer transformers attention
language vision reinforcement policy optimization stochastic gradient descent convex nonconvex
bayesian inference variational posterior sampling markov chain monte carlo diffusion generative
adversarial contrastive representation representations embedding embeddings retrieval ranking
segmentation detection classification regression clustering kernel kernels spectral sparse low-rank
matrix tensor factorization quantization pruning distillation compression efficient scalable robust
adaptive federated private differential privacy fairness interpretable causal counterfactual
uncertainty calibration benchmark dataset datasets evaluation pretraining fine-tuning instruction
alignment reasoning planning memory recurrent convolutional residual normalization dropout
regularization generalization overparameterized theory bounds convergence complexity algorithm
algorithms approximation estimation hypothesis testing sequential online bandits regret game games
equilibrium multi-agent communication protocol quantum entanglement qubit qubits error correction
topological superconducting lattice gauge field theory black hole holes cosmological inflation dark
matter energy galaxy galaxies stellar spectroscopy neutrino collider hadron scattering amplitudes
string strings manifold manifolds curvature geometry algebraic groups representation homology
cohomology category categories operator operators spectrum eigenvalue eigenvalues partial
differential equations nonlinear dynamics chaos turbulence fluid flows stability control feedback
robotics manipulation navigation autonomous driving speech audio music translation summarization
question answering dialogue knowledge graph molecules protein proteins drug discovery chemistry
materials climate weather forecasting time series anomaly healthcare medical imaging
""".split()

GIVEN = """
Wei Jing Li Ming Xiaoming Yang Hao Yu Chen Hui Jun Lei Fang Yan Min Tao Hiroshi Yuki Takashi Kenji
Akira Haruka Ji-woon Min-jun Seo-yeon Priya Rahul Arjun Ananya Vikram Deepa Sanjay Aditya Mohammed
Fatima Ahmed Omar Layla Yusuf Ali Maria José Juan Carlos Ana Luis Sofía Diego Lucía Pedro Giulia
Marco Francesca Luca Alessandro Chiara Matteo Hans Jürgen Katrin Stefan Anna Lukas Felix Sophie
Pierre Camille Julien Amélie Étienne Hélène Olivier Thomas Emma Liam Olivia Noah Ava James Sarah
Michael Emily David Laura Daniel Rachel Andrew Jessica Christopher Elena Dmitri Olga Sergei Natalia
Ivan Tatiana Piotr Agnieszka Tomasz Katarzyna Jan Eva Lars Ingrid Sven Astrid Mikko Aino Kwame Ama
Chinedu Ngozi Tunde Zanele Thabo Ayşe Mehmet Emre Zeynep Nguyen Linh Minh Anh Somchai Siriporn
""".split()

FAMILY = """
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Tanaka Suzuki
Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kim Lee Park Choi Jung Kang Cho Sharma Patel
Gupta Singh Kumar Iyer Reddy Nair Rao Das Hassan Hussein Khalil Haddad Rahman Garcia Rodriguez
Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Rossi Russo Ferrari Esposito Bianchi
Romano Colombo Ricci Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann
Martin Bernard Dubois Durand Lefèvre Moreau Laurent Simon Michel Smith Johnson Williams Brown Jones
Miller Davis Wilson Anderson Taylor Thomas Moore Jackson White Harris Clark Lewis Robinson Walker
Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter
Ivanov Smirnov Kuznetsov Popov Sokolov Lebedev Kowalski Nowak Wiśniewski Wójcik Novák Svoboda
Andersson Johansson Karlsson Nilsson Virtanen Korhonen Mensah Owusu Okafor Adeyemi Nkosi Dlamini
Yılmaz Kaya Demir Şahin Nguyen Tran Pham Le Hoang Phan Vu Dang Bui Do Ngô Chaudhary Kapoor Banerjee
""".split()

PARTICLES = ("van", "van der", "de", "de la", "von", "di", "da", "del", "le", "ter")
TEX_ACCENTS = {
    "ü": '{\\"u}',
    "ö": '{\\"o}',
    "ä": '{\\"a}',
    "é": "{\\'e}",
    "è": "{\\`e}",
    "á": "{\\'a}",
    "ó": "{\\'o}",
    "í": "{\\'i}",
    "ş": "{\\c{s}}",
    "ç": "{\\c{c}}",
    "ł": "{\\l}",
    "ś": "{\\'s}",
    "ı": "{\\i}",
    "Ş": "{\\c{S}}",
    "É": "{\\'E}",
    "ô": "{\\^o}",
}
CATEGORIES = (
    "cs.LG",
    "cs.CL",
    "cs.CV",
    "cs.AI",
    "stat.ML",
    "math.OC",
    "quant-ph",
    "hep-th",
    "hep-ph",
    "astro-ph.CO",
    "astro-ph.GA",
    "cond-mat.str-el",
    "cond-mat.mes-hall",
    "math.AG",
    "math.PR",
    "physics.flu-dyn",
    "eess.AS",
    "cs.RO",
    "q-bio.BM",
    "math.NA",
    "cs.DS",
    "cs.CR",
    "econ.EM",
)
JOURNALS = (
    "Phys. Rev. D",
    "Phys. Rev. Lett.",
    "JHEP",
    "Nature",
    "J. Mach. Learn. Res.",
    "Ann. Statist.",
    "Astrophys. J.",
    "Mon. Not. R. Astron. Soc.",
    "Comm. Math. Phys.",
    "IEEE Trans. Pattern Anal.",
)
TEMPLATES = (
    "{A} {N} for {A} {N}",
    "On the {N} of {A} {N}",
    "{N}: {A} {N} with {N}",
    "Towards {A} {N} in {N}",
    "{A} {N} via {A} {N}",
    "Learning {A} {N} from {N}",
    "A {A} Approach to {N} {N}",
    "{N} Is All You Need for {N}",
    "{A} and {A} {N} of {N} {N}",
    "{N} {N} under {A} {N}",
    "Scaling {N} {N} to {A} {N}",
    "{A} {N}: Theory and {N}",
    "Revisiting {N} in {A} {N}",
)
ADJECTIVES = """
Efficient Robust Scalable Adaptive Sparse Deep Hierarchical Stochastic Bayesian Neural Quantum
Nonlinear Optimal Universal Private Federated Causal Generative Contrastive Multimodal Geometric
Topological Spectral Linear Provable Fast Exact Approximate Self-Supervised Unsupervised Latent
Implicit Explicit Discrete Continuous Dynamic Local Global Equivariant Invariant Conformal
""".split()


SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ter",
    "sen",
    "vor",
    "qua",
    "dri",
    "pel",
    "mon",
    "zy",
    "tra",
    "gen",
    "lix",
    "no",
    "ra",
    "tic",
    "phi",
    "bor",
    "cel",
    "dan",
    "ex",
    "ful",
    "gor",
    "hy",
    "jun",
    "kin",
    "lum",
)
ENDINGS = ("", "", "ic", "al", "ation", "ity", "net", "former", "ous", "ing", "er", "ism", "oid")
VOCABULARY_SIZE = 200_000
ZIPF_EXPONENT = 1.2
"""With 1.2, about one word in nine comes from beyond the 3,000 most frequent."""


class Vocabulary:
    """Words by Zipf's law over 200,000 ranks, as words of real text: the real listings' words
    (most frequent first) head the ranking, made-up technical-looking words fill its long tail.
    So titles and abstracts mix words in a third of all records with words in a handful, and the
    index has the long tail of rare words real arXiv titles have (method names, jargon)."""

    def __init__(self, rng: random.Random) -> None:
        counts: Counter[str] = Counter()
        for line in SEEDS.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            text = f"{entry.get('title') or ''} {entry.get('abstract') or ''}"
            counts.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", text))
        for word in FIELD_WORDS:
            counts[word] += 3
        head = [w for w, _ in counts.most_common()]
        known = set(head)
        tail = (w for w in _made_up_words(rng) if w not in known)
        self.words = head + [next(tail) for _ in range(VOCABULARY_SIZE - len(head))]
        self.cumulative = list(accumulate((rank + 1) ** -ZIPF_EXPONENT for rank in range(len(self.words))))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def noun(self, rng: random.Random) -> str:
        word = self.sample(rng, 1)[0]
        while len(word) < 4:
            word = self.sample(rng, 1)[0]
        return word.capitalize()


def _made_up_words(rng: random.Random) -> Iterator[str]:
    seen: set[str] = set()
    while True:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) + rng.choice(ENDINGS)
        if word not in seen:
            seen.add(word)
            yield word


def to_tex(name: str, rng: random.Random) -> str:
    """Half of the accented names are written with TeX accents, as many arXiv listings are."""
    if rng.random() < 0.5:
        return "".join(TEX_ACCENTS.get(ch, ch) for ch in name)
    return name


SURNAMES = 100_000


@lru_cache(maxsize=1)
def surnames() -> tuple[list[str], list[float]]:
    """Family names by Zipf's law (exponent 1): the listed names head the ranking and carry half
    of all authors, as the commonest names do on arXiv; made-up names make the long tail."""
    made_up = _made_up_words(random.Random(0))
    names = list(dict.fromkeys(FAMILY)) + [next(made_up).capitalize() for _ in range(SURNAMES - len(FAMILY))]
    return names, list(accumulate(1 / (rank + 1) for rank in range(len(names))))


def author(rng: random.Random) -> tuple[str, list[str]]:
    """(display form as in ``authors``, ``authors_parsed`` triple)."""
    names, cumulative = surnames()
    given, family = rng.choice(GIVEN), rng.choices(names, cum_weights=cumulative)[0]
    if rng.random() < 0.04:
        family = f"{rng.choice(PARTICLES)} {family}"
    if rng.random() < 0.15:
        given = f"{given} {rng.choice('ABCDEFGHJKLMNPRST')}."
    given, family = to_tex(given, rng), to_tex(family, rng)
    suffix = "Jr." if rng.random() < 0.005 else ""
    display = f"{given} {family}" + (f" {suffix}" if suffix else "")
    return display, [family, given, suffix]


def title(vocabulary: Vocabulary, rng: random.Random) -> str:
    text = rng.choice(TEMPLATES)
    while "{" in text:
        text = text.replace("{A}", rng.choice(ADJECTIVES), 1).replace("{N}", vocabulary.noun(rng), 1)
    if rng.random() < 0.05:
        text += f" with $O(n^{rng.randint(2, 3)})$ Cost"
    return text


def wrap(text: str, width: int = 78, indent: str = "") -> str:
    lines, line = [], indent
    for word in text.split():
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line)
            line = indent
        line = f"{line} {word}" if line.strip() else f"{indent}{word}"
    lines.append(line)
    return "\n".join(lines)


def abstract(vocabulary: Vocabulary, rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 8)):
        words = vocabulary.sample(rng, rng.randint(10, 25))
        sentences.append(" ".join(words).capitalize() + ".")
    return wrap(" ".join(sentences), indent="  ") + "\n"


def arxiv_id(day: date, serial: int) -> str:
    return f"{day:%y%m}.{serial:05d}"


def entry(number: int, vocabulary: Vocabulary, rng: random.Random) -> dict[str, object]:
    """The ``number``-th listing: ids are unique (five-digit serials within a month)."""
    month = number // 99_999
    day = date(2015 + month // 12, month % 12 + 1, rng.randint(1, 28))
    authors = [author(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8)))]
    if rng.random() < 0.01:
        authors += [author(rng) for _ in range(rng.randint(25, 60))]
    categories = rng.sample(CATEGORIES, rng.choice((1, 1, 2, 3)))
    published = rng.random() < 0.3
    versions = [{"version": "v1", "created": f"{day:%a, %d %b %Y} 10:{rng.randint(0, 59):02d}:00 GMT"}]
    if rng.random() < 0.4:
        later = day + timedelta(days=rng.randint(10, 300))
        versions.append({"version": "v2", "created": f"{later:%a, %d %b %Y} 09:00:00 GMT"})
    serial = number % 99_999 + 1
    return {
        "id": arxiv_id(day, serial),
        "submitter": authors[0][0],
        "authors": ", ".join(a[0] for a in authors),
        "title": wrap(title(vocabulary, rng), width=70),
        "comments": f"{rng.randint(6, 40)} pages, {rng.randint(1, 12)} figures"
        if rng.random() < 0.6
        else None,
        "journal-ref": f"{rng.choice(JOURNALS)} {rng.randint(1, 120)} ({day.year + 1}) {rng.randint(1, 999)}"
        if published
        else None,
        "doi": f"10.{rng.randint(1000, 9999)}/bench.{number}" if published else None,
        "report-no": None,
        "categories": " ".join(categories),
        "license": None,
        "abstract": abstract(vocabulary, rng),
        "versions": versions,
        "update_date": day.isoformat(),
        "authors_parsed": [a[1] for a in authors],
    }


@lru_cache(maxsize=4)
def vocabulary_for(seed: int) -> Vocabulary:
    return Vocabulary(random.Random(seed))


def listing(number: int, seed: int = 1) -> dict[str, object]:
    """Listing ``number``: the same whatever else is generated."""
    return entry(number, vocabulary_for(seed), random.Random(seed * 1_000_003 + number))


def generate(count: int, seed: int = 1, start: int = 0) -> Iterator[dict[str, object]]:
    """Listings ``start`` … ``start + count - 1``."""
    return (listing(number, seed) for number in range(start, start + count))


def write(path: Path, count: int, seed: int = 1, start: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    with temporary.open("w", encoding="utf-8") as out:
        for listing in generate(count, seed, start):
            out.write(json.dumps(listing, ensure_ascii=False) + "\n")
    temporary.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="number of the first listing")
    args = parser.parse_args(argv)
    write(args.output, args.count, args.seed, args.start)
    return 0


if __name__ == "__main__":
    sys.exit(main())

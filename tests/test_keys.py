"""Citation keys: readable, unique, independent of input order, stable under additions."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.keys import KeyPatternError, assign_keys, make_key
from citekit.model import Date, Name, Record


def paper(family: str, year: int, title: str, doi: str = "") -> Record:
    return Record(title=title, author=[Name(family=family, given="A.")], issued=Date((year,)), doi=doi)


def test_default_key_is_family_year_first_significant_word_ascii() -> None:
    assert (
        make_key(paper("Jégou", 2011, "Product quantization for nearest neighbor search"))
        == "jegou2011product"
    )
    assert make_key(paper("Rozière", 2023, "The Code Llama models")) == "roziere2023code"
    assert make_key(paper("Oğuz", 2020, "A $κ$-study")) == "oguz2020study"
    van = Record(
        title="On X", author=[Name(family="Schaar", non_dropping_particle="van der")], issued=Date((2020,))
    )
    assert make_key(van) == "vanderschaar2020x"
    org = Record(title="Mistral 7B", author=[Name(literal="Mistral-AI")], issued=Date((2023,)))
    assert make_key(org) == "mistralai2023mistral"
    assert make_key(Record()) == "anonnduntitled"


def test_pattern_is_configurable_and_checked() -> None:
    record = paper("Jiang", 2023, "Mistral 7B", "10.1/x")
    assert make_key(record, "{auth}_{year}_{shorttitle}") == "jiang_2023_mistral7b"
    with pytest.raises(KeyPatternError):
        make_key(record, "{author}{year}")


def test_clashes_get_suffixes_in_content_order_not_input_order() -> None:
    records = [
        paper("Jiang", 2023, "Mistral 7B", "10.1/a"),
        paper("Jiang", 2023, "Mistral reasoning", "10.1/b"),
        paper("Jiang", 2023, "Mistral again", "10.1/c"),
    ]
    assign_keys(records)
    keys = {r.doi: r.key for r in records}
    assert sorted(keys.values()) == ["jiang2023mistrala", "jiang2023mistralb", "jiang2023mistralc"]
    for seed in range(5):
        shuffled = [r.copy() for r in records]
        for r in shuffled:
            r.key = ""
        random.Random(seed).shuffle(shuffled)
        assign_keys(shuffled)
        assert {r.doi: r.key for r in shuffled} == keys


def test_unrelated_additions_do_not_change_keys() -> None:
    records = [
        paper("Jiang", 2023, "Mistral 7B", "10.1/a"),
        paper("Touvron", 2021, "Training data", "10.1/t"),
    ]
    assign_keys(records)
    before = {r.doi: r.key for r in records}
    more = [r.copy() for r in records] + [paper("Douze", 2024, "The Faiss library", "10.1/f")]
    for r in more:
        r.key = ""
    assign_keys(more)
    assert {r.doi: r.key for r in more if r.doi in before} == before


def test_existing_keys_are_kept_and_made_unique() -> None:
    mine = paper("Jiang", 2023, "Mistral 7B")
    mine.key = "mistral-paper"
    clash = paper("Jiang", 2023, "Mistral 7B", "10.1/b")
    clash.key = "mistral-paper"
    fresh = paper("Jiang", 2023, "Other")
    assign_keys([mine, clash, fresh])
    assert {mine.key, clash.key} == {"mistral-papera", "mistral-paperb"}
    assert fresh.key == "jiang2023other"
    kept = paper("Jiang", 2023, "Mistral 7B")
    kept.key = "keepme"
    assign_keys([kept], keep_existing=False)
    assert kept.key == "jiang2023mistral"


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Jégou", "Li", "van Dam", "O'Neil"]),
            st.integers(1990, 2030),
            st.text(max_size=30),
        ),
        max_size=25,
    )
)
def test_keys_are_always_unique_and_ascii(specs: list[tuple[str, int, str]]) -> None:
    records = [paper(f, y, t) for f, y, t in specs]
    assign_keys(records)
    keys = [r.key for r in records]
    assert len(set(keys)) == len(keys)
    assert all(k.isascii() and k for k in keys)

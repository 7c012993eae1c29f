"""Venue names from citekit/data/venues.json: recognised, expanded, shortened, compared, extended."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit import venues
from citekit.cli import main
from citekit.match import score_venue
from citekit.model import Date, Record

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fresh_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test reads the table anew, without a user's CITEKIT_VENUES."""
    monkeypatch.delenv(venues.ENV, raising=False)
    venues.table.cache_clear()
    yield
    venues.table.cache_clear()


@pytest.mark.parametrize(
    "title, short",
    [
        ("Advances in Neural Information Processing Systems 32", "NeurIPS"),
        (
            "Advances in Neural Information Processing Systems 32: Annual Conference on Neural Information "
            "Processing Systems 2019",
            "NeurIPS",
        ),
        ("NeurIPS", "NeurIPS"),
        ("NIPS", "NeurIPS"),
        ("Proceedings of the 36th International Conference on Machine Learning", "ICML"),
        ("The Eleventh International Conference on Learning Representations (ICLR 2023)", "ICLR"),
        (
            "Proceedings of The 26th International Conference on Artificial Intelligence and Statistics",
            "AISTATS",
        ),
        ("2018 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)", "CVPR"),
        (
            "ICASSP 2025 - 2025 IEEE International Conference on Acoustics, Speech and Signal Processing (ICASSP)",
            "ICASSP",
        ),
        ("Proceedings of the 2021 Conference on Empirical Methods in Natural Language Processing", "EMNLP"),
        ("Journal of Machine Learning Research", "J. Mach. Learn. Res."),
        ("J. Mach. Learn. Res.", "J. Mach. Learn. Res."),
        (
            "IEEE Transactions on Pattern Analysis and Machine Intelligence",
            "IEEE Trans. Pattern Anal. Mach. Intell.",
        ),
    ],
)
def test_known_venues_in_their_many_forms(title: str, short: str) -> None:
    assert venues.short_form(title) == short


@pytest.mark.parametrize(
    "title",
    [
        "International Conference on Machine Learning and Applications",  # ICMLA, not ICML
        "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) Workshops",
        "Communications",
        "CoRR",
        "",
    ],
)
def test_other_venues_are_not_taken_for_known_ones(title: str) -> None:
    venue = venues.find(title)
    assert venue is None or venue.short not in {"ICML", "CVPR", "CACM"}


def test_abbreviations_expand_and_full_titles_stay() -> None:
    assert venues.full_title("J. Mach. Learn. Res.") == "Journal of Machine Learning Research"
    assert venues.full_title("NeurIPS") == "Advances in Neural Information Processing Systems"
    kept = "Proceedings of the 36th International Conference on Machine Learning"
    assert venues.full_title(kept) == kept
    assert venues.full_title("Inf. Sci.") == "Inf. Sci."  # unknown: as written


def test_matching_agrees_on_one_venue_under_two_names() -> None:
    record = Record(container_title="NeurIPS")
    candidate = Record(container_title="Advances in Neural Information Processing Systems 32")
    assert score_venue(record, candidate).verdict == "agree"
    other = Record(container_title="Proceedings of the 36th International Conference on Machine Learning")
    assert score_venue(record, other).verdict != "agree"


def test_an_enriched_record_gets_its_short_forms() -> None:
    record = Record(
        type="paper-conference",
        container_title="Proceedings of the 38th International Conference on Machine Learning",
        issued=Date((2021,)),
    )
    venues.add_short_forms(record)
    assert record.custom["container-title-short"] == "ICML" and record.event_title == "ICML 2021"
    journal = Record(type="article-journal", container_title="Journal of Machine Learning Research")
    venues.add_short_forms(journal)
    assert journal.custom["container-title-short"] == "J. Mach. Learn. Res." and not journal.event_title


def _user_file(tmp_path: Path) -> Path:
    path = tmp_path / "my-venues.json"
    path.write_text(
        json.dumps(
            {
                "venues": [
                    {
                        "short": "SysML",
                        "full": "Conference on Machine Learning and Systems",
                        "forms": ["MLSys"],
                    },
                    {
                        "short": "ICML",
                        "full": "International Conference on Machine Learning",
                        "forms": ["Intl. Conf. Mach. Learn."],
                    },
                ]
            }
        )
    )
    return path


def test_a_user_extends_the_table_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert venues.find("MLSys") is None
    monkeypatch.setenv(venues.ENV, str(_user_file(tmp_path)))
    venues.table.cache_clear()
    assert venues.short_form("Proceedings of the Fifth Conference on Machine Learning and Systems") == "SysML"
    assert venues.same_venue(
        "Intl. Conf. Mach. Learn.", "Proceedings of the 40th International Conference on Machine Learning"
    )  # a new form of a known venue


def test_the_venues_option_feeds_an_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refs = tmp_path / "refs.json"
    refs.write_text(
        json.dumps(
            [
                {
                    "id": "a",
                    "type": "paper-conference",
                    "title": "A system",
                    "container-title": "MLSys",
                    "issued": {"date-parts": [[2022]]},
                }
            ]
        )
    )
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        main, ["--venues", str(_user_file(tmp_path)), "convert", str(refs), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert venues.short_form("MLSys") == "SysML"
    broken = tmp_path / "broken.json"
    broken.write_text('{"venues": [{"full": "no short"}]}')
    bad = CliRunner().invoke(main, ["--venues", str(broken), "convert", str(refs), "-o", str(out)])
    assert bad.exit_code == 2 and "not a venue file" in bad.output


def test_the_data_file_is_well_formed() -> None:
    data = json.loads((ROOT / "citekit" / "data" / "venues.json").read_text(encoding="utf-8"))
    shorts = [entry["short"] for entry in data["venues"]]
    assert len(shorts) == len(set(shorts)) >= 30
    for entry in data["venues"]:
        assert entry["kind"] in {"conference", "journal"} and entry["full"]
        for form in entry["forms"]:
            assert venues.find(form) is not None and venues.find(form).short == entry["short"], form

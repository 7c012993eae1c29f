"""The bundled metadata snapshot (seeds/metadata/) as Records, for tests that need real papers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from citekit.model import Record
from citekit.sources.convert import arxiv_bulk_to_record, crossref_work_to_record

METADATA = Path(__file__).resolve().parent.parent / "seeds" / "metadata"

# Voxtral TTS (2603.25551) as a published version might word it.
VOXTRAL_TTS_REWORDED = (
    "We present Voxtral TTS, an expressive and multilingual text-to-speech model able to generate natural "
    "speech from only 3 seconds of reference audio. Voxtral TTS relies on a hybrid architecture combining "
    "auto-regressive generation of semantic speech tokens with flow-matching for acoustic tokens. The tokens "
    "are encoded and decoded by Voxtral Codec, a speech tokenizer trained from scratch with a hybrid VQ-FSQ "
    "quantization scheme. In human evaluations by native speakers, Voxtral TTS is preferred for multilingual "
    "voice cloning thanks to its naturalness and expressivity, with a 68.4% win rate over ElevenLabs Flash "
    "v2.5. The model weights are released under a CC BY-NC license."
)


@cache
def _arxiv() -> dict[str, Record]:
    lines = (METADATA / "arxiv.jsonl").read_text(encoding="utf-8").splitlines()
    return {r.arxiv_id: r for r in (arxiv_bulk_to_record(json.loads(line)) for line in lines)}


@cache
def _crossref() -> dict[str, Record]:
    lines = (METADATA / "crossref.jsonl").read_text(encoding="utf-8").splitlines()
    return {r.doi.casefold(): r for r in (crossref_work_to_record(json.loads(line)) for line in lines)}


def arxiv(arxiv_id: str) -> Record:
    """A fresh copy of the arXiv record with this id."""
    return _arxiv()[arxiv_id].copy()


def crossref(doi: str) -> Record:
    return _crossref()[doi.casefold()].copy()


def all_arxiv() -> list[Record]:
    return [r.copy() for r in _arxiv().values()]


def all_crossref() -> list[Record]:
    return [r.copy() for r in _crossref().values()]

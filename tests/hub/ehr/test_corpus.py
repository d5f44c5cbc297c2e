"""Messages real systems wrote (tests/hub/ehr/corpus, sources and licences in its README),
through the real MLLP listener: each gets the ACK its content deserves, and nothing they
make the hub publish is refused by a kiosk (a real one, on a real broker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.clock import wall_now
from tests.support.siu_feed import FeedSite

CORPUS = Path(__file__).parent / "corpus"
# The site's provider table: each sample's provider id (AIP-3, PV1-7, SCH-16) -> the hub's.
PROVIDERS = {
    "10101041431": "chen",
    "PBN": "okafor",
    "JPULLEN1": "chen",
    "C3590850": "okafor",
    "CONSULTANT2": "chen",
}
# In sending order: file, its ACK, the date its appointment is on (moved to today in the second test).
EXPECTED = [
    ("rimiti-hl7-object-parser/siu_s12.hl7", "AA", "20161231"),
    ("rimiti-hl7-object-parser/siu_s13.hl7", "AA", "20161231"),  # same MSH-10 as the S12, another type
    ("rimiti-hl7-object-parser/siu_s14.hl7", "AA", "20161231"),
    ("rimiti-hl7-object-parser/siu_s15.hl7", "AA", "20161231"),
    ("rimiti-hl7-object-parser/siu_s17.hl7", "AA", "20161231"),
    ("node-hl7-complete/corepoint_siu_s14.hl7", "AA", "20080306"),
    ("node-hl7-complete/catalyze_orm_o01.hl7", "AR", ""),
    ("node-hl7-complete/accmgr_adt_a01.hl7", "AR", ""),
    ("hl7-generate-parse/ntierprise_siu_s12.hl7", "AA", "20190423"),
    ("renalware-core/barts_siu_s15.hl7", "AA", "20241113"),
    ("renalware-core/barts_siu_s26.hl7", "AA", "20241106"),
]


def _sample(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[FeedSite]:
    site = FeedSite(tmp_path, PROVIDERS)
    yield site
    site.stop()


def test_the_corpus_lists_every_sample_and_every_sample_its_source() -> None:
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.hl7")}
    assert on_disk == {name for name, _, _ in EXPECTED}
    readme = (CORPUS / "README.md").read_text()
    assert all(f"`{name.split('/')[0]}/`" in readme for name in on_disk)


def test_every_sample_gets_the_ack_its_content_deserves(feed: FeedSite) -> None:
    codes = feed.send(*(_sample(name) for name, _, _ in EXPECTED))
    assert list(zip([n for n, _, _ in EXPECTED], codes, strict=True)) == [(n, c) for n, c, _ in EXPECTED]
    feed.settle()
    assert feed.problems() == []
    again = feed.send(*(_sample(name) for name, _, _ in EXPECTED))  # the sender resends: repeats
    assert again == [c for _, c, _ in EXPECTED]
    assert feed.site.hub.call(lambda s: s.counters())["ehr_duplicate"] == 9


def test_every_sample_moved_to_today_reaches_the_kiosk_and_nothing_is_refused(feed: FeedSite) -> None:
    today = wall_now().strftime("%Y%m%d")
    frames = [
        _sample(n).replace(day.encode(), today.encode()) if day else _sample(n) for n, _, day in EXPECTED
    ]
    assert feed.send(*frames) == [c for _, c, _ in EXPECTED]
    feed.settle()
    assert feed.problems() == []
    shown = feed.kiosk.sync.call(
        lambda c: {
            a.id: (a.provider_id, a.state, a.first_name, a.dob)
            for p in ("chen", "okafor")
            for a in c.appointments_for(p)
        }
    )
    assert shown == {
        "00331839401": ("okafor", "checked_in", "MICHAEL", "2008-02-05"),  # Corepoint: only a placer id
        "13030": ("chen", "booked", "James", "1977-09-20"),  # Ntierprise
        "149549027": ("okafor", "cancelled", "RENALTESTFIVE", "1987-01-01"),  # Barts S15
        "149549015": ("chen", "cancelled", "MOLLY", "1987-01-01"),  # Barts S26 (no-show)
    }  # the Clicrdv appointment was deleted by its S17

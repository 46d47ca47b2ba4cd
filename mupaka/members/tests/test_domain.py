"""Pure rules: names, phones, numbers, KYC tier, lifecycle (no database)."""

import datetime as dt

import pytest

from mupaka.members.domain import lifecycle
from mupaka.members.domain.kyc import IdDocument, kyc_tier
from mupaka.members.domain.numbers import NumberQuery, member_number_format, member_number_parse
from mupaka.members.domain.phones import InvalidPhone, phone_normalize, phone_search_candidates
from mupaka.members.domain.text import (
    fold,
    id_number_normalize,
    name_key,
    name_tokens,
    prefix_upper_bound,
    search_text,
)

TODAY = dt.date(2026, 11, 2)


def test_fold_removes_accents_and_case():
    assert fold("Élisabeth MÜLLER Ngoçi") == "elisabeth muller ngoci"


def test_name_tokens_split_and_join_apostrophes():
    assert name_tokens("Mwamini", "M'Bisimwa", "Nabintu") == [
        "mwamini",
        "m",
        "bisimwa",
        "mbisimwa",
        "nabintu",
    ]
    assert search_text("Zawadi", "", "Cirhuza") == "zawadi cirhuza"


def test_name_key_ignores_order_and_accents():
    assert name_key("Furaha", "Mapendo") == name_key("MAPENDO", "furahá")
    assert name_key("Furaha", "Mapendo") != name_key("Furaha", "Mapendi")


@pytest.mark.parametrize(
    ("prefix", "bound"),
    [("fur", "fus"), ("az", "b"), ("zz", None), ("a9", "aa"), ("0", "1")],
)
def test_prefix_upper_bound(prefix, bound):
    assert prefix_upper_bound(prefix) == bound


def test_id_number_normalize():
    assert id_number_normalize(" ab-12.34/5 6 ") == "AB123456"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+243 97 000 0001", "CD", "+243970000001"),
        ("0970000001", "CD", "+243970000001"),
        ("970000001", "CD", "+243970000001"),
        ("00243970000001", "RW", "+243970000001"),
        ("0788123456", "RW", "+250788123456"),
        ("+250 788 123 456", "CD", "+250788123456"),
        ("79 12 34 56", "BI", "+25779123456"),
        ("+256 772 123456", "CD", "+256772123456"),
    ],
)
def test_phone_normalize(raw, region, expected):
    assert phone_normalize(raw, region=region) == expected


@pytest.mark.parametrize("raw", ["", "abc", "+243 12", "0970", "097000000199999", "+243 97x000"])
def test_phone_normalize_refuses_bad_numbers(raw):
    with pytest.raises(InvalidPhone):
        phone_normalize(raw, region="CD")


def test_phone_search_candidates_cover_usual_forms():
    regions = ["CD", "RW", "BI"]
    for q in ["+243 97 000 0001", "0970000001", "970000001", "243970000001"]:
        assert "+243970000001" in phone_search_candidates(q, regions=regions), q
    assert phone_search_candidates("Furaha", regions=regions) == []
    assert phone_search_candidates("123", regions=regions) == []


def test_member_number_format_and_parse():
    assert member_number_format("bkv", 123) == "BKV-000123"
    assert member_number_format("BKV", 1234567) == "BKV-1234567"
    assert member_number_parse("BKV-000123") == NumberQuery("BKV", 123)
    assert member_number_parse("bkv123") == NumberQuery("BKV", 123)
    assert member_number_parse("000123") == NumberQuery(None, 123)
    assert member_number_parse("Furaha") is None


@pytest.mark.parametrize(
    ("doc", "tier"),
    [
        (IdDocument("none"), 0),
        (IdDocument("voter_card", ""), 0),
        (IdDocument("voter_card", "123"), 1),
        (IdDocument("passport", "OP1", TODAY), 1),
        (IdDocument("passport", "OP1", TODAY - dt.timedelta(days=1)), 0),
        (IdDocument("national_id", "1199", TODAY + dt.timedelta(days=365)), 1),
    ],
)
def test_kyc_tier(doc, tier):
    assert kyc_tier(doc, on_date=TODAY) == tier


def test_lifecycle_transitions():
    assert lifecycle.transition_allowed("pending", "active")
    assert lifecycle.transition_allowed("active", "inactive")
    assert lifecycle.transition_allowed("inactive", "active")
    assert lifecycle.transition_allowed("active", "exited")
    assert not lifecycle.transition_allowed("exited", "active")
    assert not lifecycle.transition_allowed("pending", "inactive")
    assert lifecycle.next_statuses("pending") == ["active", "exited"]

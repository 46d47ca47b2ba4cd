"""What a test that commits leaves to the next one: the database as the migrations left it.

A transactional test (``transaction=True``, ``transactional_db``, ``live_server``, every
browser test) ends with Django's ``flush``, which empties every table, the rows the
migrations seeded included: the notes and coins (tellers 0002, 0003), the border posts
(members 0002), the ledger's head (ledger 0002), the content types and permissions.
mupaka/conftest.py puts them back after each flush, with their ids.

pytest-django runs the transactional tests after the others, in the order of this file:
each ``*_changes_*`` test runs before the test that checks. Under xdist the two may land
on different workers; ``test_a_flush_as_after_a_test_gives_back_the_migrated_rows`` does
both in one test, so it proves the same on any worker.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# content type ids seen before a flush, checked after it (same process only)
_SEEN: dict[str, dict[tuple[str, str], int]] = {}


def _migration(app: str, name: str):
    return importlib.import_module(f"mupaka.{app}.migrations.{name}")


def content_type_ids() -> dict[tuple[str, str], int]:
    from django.contrib.contenttypes.models import ContentType

    return {(c.app_label, c.model): c.id for c in ContentType.objects.all()}


def assert_as_migrated() -> None:
    """Every row the migrations seeded is there, as they wrote it, and nothing else."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from mupaka.core.models import Institution
    from mupaka.ledger.models import LedgerState
    from mupaka.members.models import BorderPost
    from mupaka.tellers.models import Denomination

    notes = _migration("tellers", "0002_seed_denominations")
    coins = _migration("tellers", "0003_usd_coins")
    expected = {
        (currency, value * notes.MINOR[currency], kind, note, True)
        for currency, rows in notes.TABLE.items()
        for value, kind, note in rows
    }
    expected |= {
        ("USD", cents, "coin", "Pièce peu courante dans la région (à vérifier)", True)
        for cents in coins.COINS
    }
    assert (
        set(
            Denomination.objects.values_list("currency", "value_minor", "kind", "note", "is_active")
        )
        == expected
    )
    assert Denomination.objects.count() == len(expected) == 37

    posts = _migration("members", "0002_seed_border_posts").BORDER_POSTS
    assert set(BorderPost.objects.values_list("name", "country", "other_country", "town")) == set(
        posts
    )

    head = LedgerState.objects.get(id=1)
    assert (head.last_number, head.last_hash, head.closed_through) == (0, "0" * 64, None)

    types = set(ContentType.objects.values_list("app_label", "model"))
    models = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}
    assert models <= types
    assert Permission.objects.filter(
        content_type__app_label="tellers", codename="change_denomination"
    ).exists()

    assert not Institution.objects.filter(name="COOPEC Isolation").exists()


def change_everything() -> None:
    """What a committing test may do to the seeded rows, and rows of its own."""
    from mupaka.core.models import Institution
    from mupaka.members.models import BorderPost
    from mupaka.tellers.models import Denomination

    Denomination.objects.filter(currency="USD", value_minor=100_00).update(is_active=False)
    Denomination.objects.filter(currency="BIF").delete()
    BorderPost.objects.filter(name="Bunagana").delete()
    Institution.objects.create(
        name="COOPEC Isolation",
        short_name="Isolation",
        country="CD",
        base_currency="USD",
        accepted_currencies=["USD"],
        regulatory_preset="drc",
        business_date=dt.date(2026, 11, 2),
        weekend_days=[7],
    )


def test_a_flush_as_after_a_test_gives_back_the_migrated_rows():
    """The flush TransactionTestCase runs after a test, on this very worker."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from mupaka.tellers.models import Denomination

    assert_as_migrated()
    before = content_type_ids()
    denomination_ids = set(Denomination.objects.values_list("id", flat=True))
    cached = ContentType.objects.get_for_model(Denomination).id
    change_everything()

    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        database="default",
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )

    assert_as_migrated()
    # the same ids: ContentType's cache (kept for the whole session) stays true
    assert content_type_ids() == before
    assert ContentType.objects.get(app_label="tellers", model="denomination").id == cached
    assert set(Denomination.objects.values_list("id", flat=True)) == denomination_ids


def test_b_a_committing_test_changes_the_seeded_rows():
    assert_as_migrated()
    _SEEN["b"] = content_type_ids()
    change_everything()


def test_c_the_next_committing_test_finds_them_as_migrated():
    assert_as_migrated()
    if "b" in _SEEN:  # the test before ran in this process
        assert content_type_ids() == _SEEN["b"]


def test_d_with_the_fixture_too(transactional_db):
    """``transactional_db`` without the marker's arguments: the same."""
    assert_as_migrated()
    change_everything()


def test_e_and_after_it(transactional_db):
    assert_as_migrated()


# Playwright's sync API marks its event loop as running in the test's thread, so from
# the first browser test on Django's thread-critical ``connections`` hands the test code
# another DatabaseWrapper than the one pytest-django set the database up with.
@pytest.mark.browser
def test_f_a_browser_test_changes_the_seeded_rows(page, institution):
    page.goto("/login/")
    assert_as_migrated()
    change_everything()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_g_the_next_browser_test_finds_them_as_migrated(page, institution):
    page.goto("/login/")
    assert page.locator("input[name=username]").is_visible()
    assert_as_migrated()

"""The manager's dashboard trends, for a branch manager (who sees her branch only)."""

import pytest

from mupaka.reports.selectors import dashboard_trends
from mupaka.reports.tests.conftest import SNAPSHOT_DATE

pytestmark = pytest.mark.django_db


def test_a_branch_manager_sees_her_branch_savings_from_the_savings_snapshot(
    snapshot, make_user, branch, other_branch
):
    from mupaka.cob.models import SavingsSnapshot

    for b, minor in ((branch, 123_456), (other_branch, 999_999)):
        SavingsSnapshot.objects.create(
            business_date=SNAPSHOT_DATE,
            branch=b,
            product_id=1,
            kind="voluntary",
            currency="USD",
            sex="F",
            balance_minor=minor,
            account_count=3,
            saver_count=3,
        )
    SavingsSnapshot.objects.create(  # guarantee savings are not the deposits curve
        business_date=SNAPSHOT_DATE,
        branch=branch,
        product_id=2,
        kind="guarantee",
        currency="USD",
        sex="F",
        balance_minor=5_000,
        account_count=1,
        saver_count=1,
    )
    manager = make_user("manager", username="bkv-manager")
    trends = dashboard_trends(user=manager, currency="USD")
    assert trends.dates[-1] == SNAPSHOT_DATE
    assert trends.savings[-1] == 123_456

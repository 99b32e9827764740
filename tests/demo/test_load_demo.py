"""`manage.py load_demo` (the demo app, above every other layer) creates the demo users, then each
app's demo data in the order of INSTALLED_APPS, prints the logins, and changes nothing the second time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.models import User
from oralman.models import Person


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", families=3, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_fills_every_app_and_prints_the_logins():
    first = load()
    assert first.splitlines()[0].startswith("Created ") and " persons in 3 families." in first.splitlines()[0]
    for app in ("adaptation_centers", "quotas", "citizenship"):
        assert f"Demo data of {app} loaded." in first
    assert first.index("adaptation_centers") < first.index("quotas") < first.index("citizenship")
    assert "caseworker.pavlodar" in first and "kandas-case-2026" in first
    assert User.objects.filter(username="center.uralsk", groups__name="center_staff").exists()

    persons = Person.objects.count()
    second = load()
    assert "Demo case files already present; left as they are." in second
    assert Person.objects.count() == persons


@pytest.mark.django_db
def test_a_demo_case_submitted_three_days_ago_is_never_decided_in_the_future():
    """The demo grants five days after the submission; a case submitted three days ago is granted
    today, not in two days (a status issued in the future verifies as "not valid yet")."""
    import datetime
    import random

    from django.utils import timezone

    from oralman import demo
    from oralman.models import Channel, KandasStatus, StatusApplication
    from tests.factories import FamilyFactory, UserFactory

    today = timezone.localdate()
    family = FamilyFactory()
    actor = UserFactory(is_superuser=True)
    demo._application(
        family.head, family, [], family.region, "granted", actor, [],
        today - datetime.timedelta(days=3), Channel.PSC, random.Random(1),
    )  # fmt: skip
    application = StatusApplication.objects.get(family=family)
    assert application.decided_on == today
    assert KandasStatus.objects.get(person=family.head).issued_on <= today

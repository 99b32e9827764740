"""Users of the load test (`make loadtest`, loadtest/locustfile.py) on a bench database.

Creates, idempotently, one caseworker per region that has applications, one center clerk per
adaptation center (the demo centers are created first if the data set has none) and a few
ministry analysts, all with the password LOADTEST_PASSWORD. Never run it against production."""

from __future__ import annotations

import os
import random

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.models import Region, User
from core.roles import Role

DEFAULT_PASSWORD = "kandas-load-2026"


def _user(username: str, role: Role, password: str, **fields) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"is_staff": True, **fields})
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_staff = True
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


class Command(BaseCommand):
    help = "Create the load test's caseworkers, center clerks and analysts (bench databases only)."

    def add_arguments(self, parser):
        parser.add_argument("--analysts", type=int, default=3)
        parser.add_argument("--force", action="store_true", help="Also on a database whose name has no 'bench'.")

    def handle(self, *args, analysts: int, force: bool, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in name and "test" not in name and not force:
            raise CommandError(f"{name} does not look like a bench database (use --force)")
        password = os.environ.get("LOADTEST_PASSWORD", DEFAULT_PASSWORD)
        from adaptation_centers.demo import load_demo_centers
        from adaptation_centers.models import Center
        from adaptation_centers.services import center_staff_assign

        if not Center.objects.exists():
            load_demo_centers(rng=random.Random(1))
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT region_id FROM oralman_statusapplication")
            region_ids = [row[0] for row in cursor.fetchall()]
        regions = Region.objects.filter(pk__in=region_ids) if region_ids else Region.objects.all()
        made = {"caseworker": 0, "clerk": 0, "analyst": 0}
        for region in regions.order_by("code"):
            _user(f"load.caseworker.{region.code}", Role.CASEWORKER, password, region=region)
            made["caseworker"] += 1
        for n, center in enumerate(Center.objects.order_by("pk"), start=1):
            clerk = _user(f"load.clerk.{n}", Role.CENTER_STAFF, password)
            center_staff_assign(center=center, user=clerk, actor=None)
            made["clerk"] += 1
        for n in range(1, analysts + 1):
            _user(f"load.analyst.{n}", Role.MINISTRY_ANALYST, password)
            made["analyst"] += 1
        self.stdout.write(", ".join(f"{count} {role}s" for role, count in made.items()))

"""`manage.py load_demo`: users for each role, then what each app's `demo.py` adds (in the order of
INSTALLED_APPS: the case files of oralman first, then centers, quotas, citizenship). Idempotent.

An app's `demo.py` offers `load_demo(*, rng, users)` (each gets its own `random.Random(seed)` and the
demo users by username, and runs in its own transaction); a returned text is printed instead of
"Demo data of <app> loaded.". The command lives in this top-layer app so that `core` knows no
domain app."""

from __future__ import annotations

import inspect
import random
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings

from core.models import Region, User

DEMO_USERS = [
    # username, password, role, region code, description
    ("admin", "kandas-admin-2026", "administrator", None, "administrator (everything)"),
    (
        "ministry",
        "kandas-ministry-2026",
        "ministry_analyst",
        None,
        "ministry analyst (whole country, read-only, reports)",
    ),
    ("caseworker.pavlodar", "kandas-case-2026", "caseworker", "pavlodar", "caseworker, Pavlodar Region"),
    ("caseworker.akmola", "kandas-case-2026", "caseworker", "akmola", "caseworker, Akmola Region"),
    (
        "center.uralsk",
        "kandas-center-2026",
        "center_staff",
        "west-kazakhstan",
        "center staff, Uralsk adaptation center",
    ),
]


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and print how to log in as each role."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=120)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, families: int, seed: int, **options):
        # The messages the demo events cause are delivered to in-memory outboxes, not the console.
        quiet = {
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SMS_BACKEND": "notifications.sms.LocmemSmsBackend",
        }
        with override_settings(**quiet):
            self._load(families=families, seed=seed)
        self._print_logins()

    def _load(self, *, families: int, seed: int):
        users = self._users()
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            if not hasattr(module, "load_demo"):
                continue
            options = {"families": families} if "families" in inspect.signature(module.load_demo).parameters else {}
            with transaction.atomic():
                done = module.load_demo(rng=random.Random(seed), users=users, **options)
            self.stdout.write(done if isinstance(done, str) else f"Demo data of {config.name} loaded.")

    def _users(self) -> dict[str, User]:
        users = {}
        for username, password, role, region_code, _desc in DEMO_USERS:
            user, _created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            user.is_staff = True
            user.is_superuser = role == "administrator"
            user.region = Region.objects.get(code=region_code) if region_code else None
            validate_password(password, user)  # the demo passwords meet the same policy as real ones
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        return users

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/admin/ and log in as one of the demo users:")
        for username, password, _role, _region, description in DEMO_USERS:
            self.stdout.write(f"  {username:<22} {password:<22} {description}")
        if settings.KANDAS_OTP_REQUIRED_ROLES:
            roles = ", ".join(settings.KANDAS_OTP_REQUIRED_ROLES)
            self.stdout.write(f"Second factor required for: {roles} (an authenticator app; enrol on first login).")
        else:
            self.stdout.write("Second factor: optional in the demo (enrol at /account/otp/); production requires it")
            self.stdout.write("  of administrators and analysts (KANDAS_OTP_REQUIRED_ROLES).")
        self.stdout.write("Five wrong passwords lock a login for 15 minutes; idle sessions end after 30 minutes.")
        self.stdout.write("API docs: http://127.0.0.1:8000/api/docs/   Stop the embedded database: make demo-stop")

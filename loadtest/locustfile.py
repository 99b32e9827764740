"""The load test (issue 15): caseworkers, center clerks and ministry analysts at once, through the
API, as in a working day. `make loadtest` runs it headless against gunicorn on the 1M bench
database (docs/operations.md, "Load test"); users come from `manage.py loadtest_users`.

Mix (by user weight): 6 caseworkers, 3 clerks, 1 analyst per 10 users. Each user logs in once
(POST /api/v1/auth/token/) and then works with a think time of 1-3 s.

Environment: LOADTEST_PASSWORD (the users' password), LOADTEST_REGIONS (region codes of the
caseworkers, comma-separated; default: those `loadtest_users` created for the busiest regions),
LOADTEST_CLERKS (number of center clerks, default 5: the demo centers)."""

from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, between, task
from locust.exception import StopUser

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "kandas-load-2026")
REGIONS = [
    r for r in os.environ.get("LOADTEST_REGIONS", "turkistan,almaty-region,mangystau,shymkent,jambyl").split(",") if r
]
CLERKS = int(os.environ.get("LOADTEST_CLERKS", "5"))
SURNAMES = ["Нурланов", "Ахметова", "Серикбаев", "Жумабек", "Касымов", "Оспанова", "Абдрахманов", "Искаков"]
REPORTS = ["quota-use", "citizenship-admissions", "centers-occupancy-by-region", "citizenship-processing-time"]

_caseworkers = itertools.cycle(REGIONS)
_clerks = itertools.cycle(range(1, CLERKS + 1))
_analysts = itertools.cycle(range(1, 4))


class Staff(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self):
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"username": self.username, "password": PASSWORD, "name": "loadtest"},
            name="login",
        )
        if response.status_code not in (200, 201):
            raise StopUser()  # the failure is in the statistics under "login"
        token = response.json()["token"]
        self.client.headers["Authorization"] = f"Token {token}"
        self.client.headers["Accept-Language"] = "ru"

    def ids(self, url: str, name: str, **params) -> list[int]:
        response = self.client.get(url, params=params, name=name)
        if response.status_code != 200:
            return []
        body = response.json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


class Caseworker(Staff):
    """Works the region's applications: lists, searches, opens files, edits a phone number."""

    weight = 6

    def on_start(self):
        self.username = f"load.caseworker.{next(_caseworkers)}"
        super().on_start()
        self.applications = self.ids("/api/v1/status-applications/", "applications: list")
        self.persons = self.ids("/api/v1/persons/", "persons: list")

    @task(4)
    def applications_list(self):
        self.client.get("/api/v1/status-applications/", params={"state": "under_review"}, name="applications: list")

    @task(3)
    def search(self):
        self.client.get("/api/v1/persons/", params={"search": random.choice(SURNAMES)}, name="persons: search by name")

    @task(3)
    def application_detail(self):
        if self.applications:
            pk = random.choice(self.applications)
            self.client.get(f"/api/v1/status-applications/{pk}/", name="applications: detail")

    @task(2)
    def person_detail(self):
        if self.persons:
            self.client.get(f"/api/v1/persons/{random.choice(self.persons)}/", name="persons: detail")

    @task(1)
    def update_phone(self):
        if self.persons:
            pk = random.choice(self.persons)
            self.client.patch(
                f"/api/v1/persons/{pk}/",
                json={"phone": f"+7701{random.randrange(10**7):07d}"},
                name="persons: update phone",
            )


class Clerk(Staff):
    """An adaptation center's desk: its center, who is placed, who is expected."""

    weight = 3

    def on_start(self):
        self.username = f"load.clerk.{next(_clerks)}"
        super().on_start()
        self.centers = self.ids("/api/v1/centers/", "centers: list")

    @task(3)
    def center(self):
        if self.centers:
            self.client.get(f"/api/v1/centers/{random.choice(self.centers)}/", name="centers: detail")

    @task(3)
    def placements(self):
        self.client.get("/api/v1/placements/", name="placements: list")

    @task(2)
    def referrals(self):
        self.client.get("/api/v1/center-referrals/", name="referrals: list")

    @task(1)
    def service_records(self):
        self.client.get("/api/v1/service-records/", name="service records: list")


class Analyst(Staff):
    """The ministry: whole-country reports and lists."""

    weight = 1

    def on_start(self):
        self.username = f"load.analyst.{next(_analysts)}"
        super().on_start()

    @task(3)
    def report(self):
        slug = random.choice(REPORTS)
        self.client.get(f"/api/v1/reports/{slug}/", name=f"report: {slug}")

    @task(2)
    def country_list(self):
        self.client.get("/api/v1/status-applications/", name="applications: whole country")

    @task(1)
    def quota_requests(self):
        self.client.get("/api/v1/quota-requests/", name="quota requests: whole country")

"""Fill the database with a believable national data set (see docs/benchmarks.md)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.generate import Scale, generate


class Command(BaseCommand):
    help = "Generate a national-scale data set with COPY (deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=100_000)
        parser.add_argument("--families", type=int, default=None, help="Default: 0.3 per person.")
        parser.add_argument("--applications", type=int, default=None, help="Default: 0.3 per person.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="The date the data set ends on (YYYY-MM-DD); default today.")  # fmt: skip
        parser.add_argument("--reset", action="store_true", help="Replace existing case data (TRUNCATE).")
        parser.add_argument("--quota-requests", type=int, default=None,
                            help="Pending quota requests in the current year (quotas app), default 0.1 per person.")  # fmt: skip

    def handle(self, *args, **options):
        if options["persons"] < 1:
            raise CommandError("--persons must be at least 1")
        scale = Scale(
            persons=options["persons"],
            families=options["families"],
            applications=options["applications"],
            seed=options["seed"],
            today=options["today"] or datetime.date.today(),
            options={k: v for k, v in {"quota_requests": options["quota_requests"]}.items() if v is not None},
        )
        try:
            result = generate(scale, reset=options["reset"], log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = Path(settings.BASE_DIR) / "bench-results"
        out.mkdir(exist_ok=True)
        (out / "load.json").write_text(json.dumps(result, indent=2, default=str))

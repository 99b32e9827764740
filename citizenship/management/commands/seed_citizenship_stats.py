from django.core.management.base import BaseCommand

from citizenship.seed_stats import TOTAL_ADMITTED, TOTAL_ORALMANS, seed_historical_admissions


class Command(BaseCommand):
    help = "Load the historical admission counts matching the seed speech (736,828 admitted, 90.7% oralmans)."

    def handle(self, *args, **options):
        rows = seed_historical_admissions()
        self.stdout.write(f"{rows} historical rows: {TOTAL_ADMITTED} admitted, {TOTAL_ORALMANS} oralmans.")

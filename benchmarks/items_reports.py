"""Hand-written SQL bounds of the ministry reports, per report slug (core.reports registry)."""

from __future__ import annotations

from benchmarks.items import REPORT_BOUNDS

# Admissions per year: granted applications by the year of registration plus the historical counts.
_PER_YEAR = """
SELECT year, SUM(n)::bigint AS admitted, COALESCE(SUM(n) FILTER (WHERE basis = 'oralman'), 0)::bigint AS oralmans
FROM (SELECT EXTRACT(YEAR FROM registration_date)::int AS year, basis, COUNT(*) AS n
        FROM citizenship_citizenshipapplication WHERE state = 'granted' GROUP BY 1, 2
      UNION ALL
      SELECT year, basis, count FROM citizenship_historicaladmission) t
GROUP BY year ORDER BY year
"""


def _admissions(ctx):
    return [(_PER_YEAR, {})]


def _oralman_share(ctx):
    sql = f"""SELECT year, admitted, oralmans, SUM(admitted) OVER (ORDER BY year), SUM(oralmans) OVER (ORDER BY year)
              FROM ({_PER_YEAR}) per_year ORDER BY year"""
    return [(sql, {})]


REPORT_BOUNDS["citizenship-admissions"] = _admissions
REPORT_BOUNDS["citizenship-oralman-share"] = _oralman_share

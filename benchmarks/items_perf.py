"""Bounds for the items made fast in issue 16 (docs/benchmarks.md, "Made fast (issue 16)")."""

from __future__ import annotations

from benchmarks.items import REPORT_BOUNDS

# The processing-time report reads the trigger-kept histogram (citizenship.ProcessingTimeCount);
# the fastest hand-written SQL for the same figures reads the same rows. The old question over
# every decided application (percentile_cont over ~750,000 rows at 1M persons) is measured in the
# docs' before/after table.
_PROCESSING_HISTOGRAM = """
SELECT year, granted, late, days, deadline_days, SUM(n)::bigint
FROM citizenship_processingtimecount WHERE n > 0 GROUP BY 1, 2, 3, 4, 5
"""


def _processing_time(ctx):
    return [(_PROCESSING_HISTOGRAM, {})]


REPORT_BOUNDS["citizenship-processing-time"] = _processing_time

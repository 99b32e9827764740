"""The quota allocation job against its one-statement SQL (quotas.benchmark, written by the quotas app)."""

from __future__ import annotations

from benchmarks.items import BenchContext, Case, item


@item
def quota_allocation(ctx: BenchContext) -> list[Case]:
    try:
        from quotas.benchmark import run_allocation_benchmark
    except ImportError:
        return [Case("job: quota allocation", "job", None, None, missing="quotas.benchmark not available yet")]
    pending = 2_000 if ctx.smoke else 100_000

    def run() -> dict:
        figures = run_allocation_benchmark(pending=pending, repeat=1 if ctx.smoke else 3)
        return {
            "queries": None,
            "db_ms_median": None,
            "bound_ms_median": round(figures["sql_s"] * 1000, 1),
            "wall_ms_median": round(figures["job_s"] * 1000, 1),
            "wall_ms_p95": None,
            "db_ratio": figures["job_vs_sql"],
            "allocation": figures,
        }

    return [
        Case(
            f"job: quota allocation, {pending:,} pending requests",
            "job",
            None,
            None,
            runner=run,
            target_ratio=3.0,
            target_p95_ms=None,
            note="whole job time vs the window-function SELECT that computes the same allocation; "
            "allocation.job_vs_floor: vs the same UPDATE with no triggers (the write floor)",
        )
    ]

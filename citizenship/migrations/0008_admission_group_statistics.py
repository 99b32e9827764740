"""Extended statistics for the admissions reports' four-key grouping (issue 16).

The reports group granted applications by (year of registration, region, basis, former
citizenship). Without statistics on the combination the planner multiplies the four columns'
distinct counts (74,805 groups expected at 1,000,000 persons, 3,198 real) and plans a sort that
spills to disk instead of a small hash aggregate. ndistinct tells it how many combinations exist,
dependencies how the columns go together. Measured in docs/benchmarks.md ("Made fast")."""

from django.db import migrations

CREATE = """
CREATE STATISTICS IF NOT EXISTS citapp_admission_group_stats (ndistinct, dependencies)
ON (EXTRACT(YEAR FROM registration_date)::int), region_id, basis, former_citizenship_id
FROM citizenship_citizenshipapplication;
ANALYZE citizenship_citizenshipapplication;
"""

DROP = "DROP STATISTICS IF EXISTS citapp_admission_group_stats;"


class Migration(migrations.Migration):
    dependencies = [("citizenship", "0007_number_search_indexes")]

    operations = [migrations.RunSQL(CREATE, DROP)]

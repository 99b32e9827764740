"""A request's (year, region) must be a share of that year: a composite foreign key that Django's
ForeignObject does not create by itself; and free room per page for the run's HOT updates."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quotas", "0001_initial")]
    operations = [
        migrations.RunSQL(
            """
            ALTER TABLE quotas_quotarequest
              ADD CONSTRAINT quota_request_share_fk FOREIGN KEY (quota_year_id, region_id)
              REFERENCES quotas_regionalquota (quota_year_id, region_id) DEFERRABLE INITIALLY IMMEDIATE;
            """,
            "ALTER TABLE quotas_quotarequest DROP CONSTRAINT quota_request_share_fk;",
        ),
        # Room on each page for HOT updates: the allocation run rewrites every candidate row.
        migrations.RunSQL(
            "ALTER TABLE quotas_quotarequest SET (fillfactor = 70);",
            "ALTER TABLE quotas_quotarequest RESET (fillfactor);",
        ),
    ]

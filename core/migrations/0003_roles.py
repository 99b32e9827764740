"""The role groups; their permissions are synced after every migrate (core.roles)."""

from django.db import migrations

ROLES = ["administrator", "ministry_analyst", "caseworker", "center_staff"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_data"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]

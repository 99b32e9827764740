"""The citizenship grant is a registration, not a decree (issue 12): the `citizenship.granted`
event now carries `registration_number`, `registration_date` and `registering_body`; the stored
templates (also those an administrator edited) are moved to the new names."""

from django.db import migrations

RENAMES = [("decree_number", "registration_number"), ("decree_date", "registration_date")]


def rename(pairs):
    def run(apps, schema_editor):
        Template = apps.get_model("notifications", "NotificationTemplate")
        for template in Template.objects.filter(event="citizenship.granted"):
            for field in ("subject", "body", "sms_text"):
                text = getattr(template, field)
                for old, new in pairs:
                    text = text.replace(old, new)
                setattr(template, field, text)
            template.save(update_fields=["subject", "body", "sms_text"])

    return run


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_beat_schedule")]
    operations = [
        migrations.RunPython(rename(RENAMES), rename([(new, old) for old, new in RENAMES])),
    ]

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeneratedDataSet(models.Model):
    """What generate_national_data loaded into this database, and how fast (the latest row is current)."""

    persons = models.PositiveIntegerField(_("persons"))
    families = models.PositiveIntegerField(_("families"))
    applications = models.PositiveIntegerField(_("status applications"))
    seed = models.IntegerField(_("seed"))
    today = models.DateField(_("data set ends on"))
    version = models.CharField(_("generator version"), max_length=40)
    parts = models.CharField(_("generated parts"), max_length=200)
    rows = models.JSONField(_("rows per table"), default=dict)
    seconds = models.FloatField(_("load time, seconds"))
    rows_per_second = models.FloatField(_("rows per second"))
    created_at = models.DateTimeField(_("generated"), auto_now_add=True)

    class Meta:
        verbose_name = _("generated data set")
        verbose_name_plural = _("generated data sets")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.persons:,} persons, seed {self.seed} ({self.created_at:%Y-%m-%d %H:%M})"

"""English keeps Django's own display formats; 22.07.1983 is accepted as input too (after ISO)."""

from django.conf.locale.en.formats import DATE_INPUT_FORMATS as _DATE_INPUT
from django.conf.locale.en.formats import DATETIME_INPUT_FORMATS as _DATETIME_INPUT

DATE_INPUT_FORMATS = [*_DATE_INPUT, "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [*_DATETIME_INPUT, "%d.%m.%Y %H:%M", "%d.%m.%Y"]

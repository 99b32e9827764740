"""The words DOMAIN.md "Words" asks for: kk "шешілді" (resolved), "реті" (rank), "Моңғолия";
ru "Кыргызстан" (the names used in Kazakhstan)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.models import Country


@pytest.mark.parametrize(
    ("msgid", "kk"),
    [("resolved", "шешілді"), ("rank", "реті"), ("%(n)s flag(s) resolved.", "Шешілген белгілер саны: %(n)s.")],
)
def test_the_kazakh_words_for_resolved_and_rank(msgid, kk):
    with translation.override("kk"):
        assert gettext(msgid) == kk


def test_no_kazakh_catalogue_says_alyndy_for_resolved_or_darezhe_for_rank():
    with translation.override("kk"):
        assert gettext("resolved") != "алынды"
        assert "дәреже" not in gettext("priority category “%(name)s” (rank %(rank)s)")


@pytest.mark.django_db
def test_the_country_names_are_those_used_in_kazakhstan():
    kyrgyzstan, mongolia = Country.objects.get(iso2="KG"), Country.objects.get(iso2="MN")
    assert kyrgyzstan.name_ru == "Кыргызстан"
    assert mongolia.name_kk == "Моңғолия"
    with translation.override("kk"):
        assert str(mongolia) == "Моңғолия"


def test_the_kazakh_citizenship_catalogue_says_kandas_not_oralman():
    """DOMAIN.md "Words": the Kazakh UI says "қандас"."""
    import polib
    from django.conf import settings

    po = polib.pofile(str(settings.BASE_DIR / "citizenship/locale/kk/LC_MESSAGES/django.po"))
    assert not [e.msgid for e in po if "оралман" in e.msgstr.lower()]


# --- Column headers and field labels in the admin -------------------------------------------------
# "PERSON", "CREATED AT", "Resolved by": a field without a translated verbose_name (or a column
# without a translated description) shows its English name in every language.
OUR_APPS = {
    "core",
    "oralman",
    "adaptation_centers",
    "quotas",
    "citizenship",
    "documents",
    "notifications",
    "audit",
    "auth",
}
ENGLISH_ONLY = re.compile(r"^[A-Za-z][A-Za-z0-9 _\-/()'.,]*$")
SAME_IN_EVERY_LANGUAGE = {"ID", "IIN", "IP", "SMS", "URL", "PDF", "API", "TOTP", "CSV", "XLSX", "Email"}


def _english(label: str) -> bool:
    label = label.strip().rstrip(":").strip()
    return bool(label) and ENGLISH_ONLY.match(label) is not None and label not in SAME_IN_EVERY_LANGUAGE


def _field_names(model_admin, request) -> list[str]:
    names = [n for n in model_admin.get_list_display(request) if isinstance(n, str) and n != "action_checkbox"]
    names += [n for n in model_admin.get_readonly_fields(request) if isinstance(n, str)]
    for _name, options in model_admin.get_fieldsets(request):
        for field in options["fields"]:
            names += list(field) if isinstance(field, (list, tuple)) else [field]
    return names


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_admin_column_and_field_label_is_translated(rf, administrator, lang):
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field

    request = rf.get("/admin/")
    request.user = administrator
    english = []
    with translation.override(lang):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in OUR_APPS:
                continue
            for name in _field_names(model_admin, request):
                try:
                    label = str(label_for_field(name, model, model_admin))
                except AttributeError:  # a form-only field (password1): its form gives the label
                    continue
                if _english(label):
                    english.append(f"{model._meta.label}.{name}: {label}")
    assert english == []


HEADER = re.compile(r'<th scope="col"[^>]*>.*?<div class="text">(?:<a [^>]*>|<span>)?([^<]*)<', re.S)
LABEL = re.compile(r"<label[^>]*>([^<]+)</label>")


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_admin_list_and_change_page_shows_translated_headers_and_labels(client, lang):
    """Walks every list page and the change page of its first row with the demo data loaded."""
    from io import StringIO

    from django.contrib import admin
    from django.core.management import call_command
    from django.urls import NoReverseMatch, reverse

    from core.models import User

    call_command("load_demo", families=2, stdout=StringIO())
    client.force_login(User.objects.get(username="admin"))
    client.cookies["django_language"] = lang
    english, pages = [], 0
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        try:
            urls = [reverse(f"{prefix}_changelist")]
        except NoReverseMatch:
            continue
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            pages += 1
            html = response.content.decode()
            for text in HEADER.findall(html) + LABEL.findall(html):
                if _english(text):
                    english.append(f"{url}: {text.strip()}")
    assert pages > 40
    assert english == []


def test_every_field_of_our_models_has_a_translated_name():
    """A field without verbose_name=_("…") shows its English attribute name as the column header."""
    from django.apps import apps
    from django.utils.functional import Promise

    internal = {("core", "usergroup"), ("core", "apitoken")}  # a through table; knox's digest and key
    untranslated = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and (model._meta.app_label, model._meta.model_name) not in internal
        and not hasattr(model, "pgh_obj")  # pghistory's event copies
        for field in model._meta.get_fields()
        if field.concrete
        and not field.auto_created
        and field.name != "id"
        and not field.name.startswith("pgh_")
        and field.name not in ("name_key", "latin_key")  # search keys, never shown
        and not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "granted", "wrong"),
    [("ru", "принят в гражданство", "статус присвоен"), ("kk", "азаматтыққа қабылданды", "мәртебе берілді")],
)
def test_a_granted_citizenship_application_says_citizenship_not_status(client, administrator, lang, granted, wrong):
    from django.urls import reverse

    from tests.citizenship import factories as f

    application = f.application(state="granted")
    client.force_login(administrator)
    client.cookies["django_language"] = lang
    for url in (
        reverse("admin:citizenship_citizenshipapplication_change", args=[application.pk]),
        reverse("admin:citizenship_citizenshipapplication_changelist"),
        reverse("admin:citizenship_citizenshipapplication_history", args=[application.pk]),
    ):
        html = client.get(url).content.decode()
        assert wrong not in html, url
    assert granted in client.get(reverse("admin:citizenship_citizenshipapplication_changelist")).content.decode()


@pytest.mark.parametrize(("lang", "start", "end"), [("ru", "с", "по"), ("kk", "бастап", "дейін")])
def test_report_periods_read_from_and_to_dates_not_states(lang, start, end):
    """The state logs' "from"/"to" used to share msgids with the report period ("из состояния")."""
    with translation.override(lang):
        assert (gettext("from"), gettext("to")) == (start, end)


# --- Third-party admin pages (config/third_party_i18n.py and locale/) --------------------------------
SAME_IN_KAZAKH_AND_RUSSIAN = {"Crontab", "ID"}


def _headers_and_labels(client, url: str, lang: str) -> list[str]:
    client.cookies["django_language"] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    fieldsets = re.findall(r"<h2[^>]*class=\"fieldset-heading\"[^>]*>([^<]+)<", html)
    return [t.strip().rstrip(":").strip() for t in HEADER.findall(html) + LABEL.findall(html) + fieldsets if t.strip()]


@pytest.mark.django_db
def test_the_periodic_task_pages_have_no_untranslated_headers_or_labels_in_kazakh(client, administrator):
    """django-celery-beat has no Kazakh catalogue (Kazakh fell back to Russian) and leaves some words
    in English ("Scheduler", "Task Name", "Exchange"); the list's column headers and the change
    page's labels and sections are Kazakh, neither English nor the Russian ones."""
    from django.urls import reverse
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    task = PeriodicTask.objects.order_by("pk").first() or PeriodicTask.objects.create(
        name="demo", task="core.tasks.demo", interval=IntervalSchedule.objects.create(every=1, period="days")
    )
    client.force_login(administrator)
    for url in (reverse("admin:django_celery_beat_periodictask_changelist"),
                reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])):  # fmt: skip
        kazakh = _headers_and_labels(client, url, "kk")
        russian = set(_headers_and_labels(client, url, "ru"))
        assert len(kazakh) > 5, url
        assert [t for t in kazakh if _english(t)] == [], url
        assert [t for t in kazakh if t in russian and t not in SAME_IN_KAZAKH_AND_RUSSIAN] == [], url
        assert [t for t in russian if _english(t) and t not in SAME_IN_KAZAKH_AND_RUSSIAN] == [], url


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_totp_device_and_history_event_fields_are_translated(rf, administrator, lang):
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field
    from django_otp.plugins.otp_totp.models import TOTPDevice

    request = rf.get("/admin/")
    request.user = administrator
    english = []
    with translation.override(lang):
        for model, model_admin in admin.site._registry.items():
            if model is not TOTPDevice and model._meta.app_label != "pghistory":
                continue
            english += [str(model._meta.verbose_name)] if _english(str(model._meta.verbose_name)) else []
            for name in _field_names(model_admin, request):
                label = str(label_for_field(name, model, model_admin))
                if _english(label) and label.lower() not in ("t0",):
                    english.append(f"{model._meta.label}.{name}: {label}")
            titles = [str(t) for t, _ in model_admin.get_fieldsets(request) if t]
            english += [t for t in titles if _english(t)]
        from django.apps import apps
        from pghistory.admin import core as pghistory_admin

        english += [
            n
            for n in (str(apps.get_app_config(a).verbose_name) for a in ("otp_totp", "pghistory", "axes"))
            if _english(n)
        ]
        english += [
            str(f.title)
            for f in (pghistory_admin.LabelFilter, pghistory_admin.EventModelFilter)
            if _english(str(f.title))
        ]
    assert english == []

"""The words DOMAIN.md "Words" asks for: kk "шешілді" (resolved), "реті" (rank), "Моңғолия";
ru "Кыргызстан" (the names used in Kazakhstan)."""

from __future__ import annotations

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

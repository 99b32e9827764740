"""The caseworker's day in Chromium (Russian UI), from intake to the citizenship decision letter.

A family of four from China is registered with its documents (the second person is a likely
duplicate of an earlier record, and the caseworker is warned), one status application is filed for
the family, the documents are checked and the status granted; the certificates are printed in
Kazakh and Russian and the verification link printed in them opened; the quota request is filed;
and a status holder of the region is taken through citizenship to the decision letter."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from tests.factories import unique_iin
from tests.uploads import image_bytes, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHINA = "Китай"
PAVLODAR = "Павлодарская область"
NOTARISED = "приложен нотариально заверенный перевод на казахский или русский"

# surname, given name, Latin surname, Latin given name, birth date, sex, relationship
FAMILY = [
    ("Серікбаев", "Нұрлан", "SERIKBAYEV", "NURLAN", datetime.date(1981, 4, 12), "мужской", None),
    ("Серікбаева", "Гүлнар", "SERIKBAYEVA", "GULNAR", datetime.date(1984, 9, 3), "женский", "супруг(а)"),
    ("Серікбаев", "Арман", "SERIKBAYEV", "ARMAN", datetime.date(2010, 6, 15), "мужской", "ребёнок"),
    ("Серікбаева", "Айгерім", "SERIKBAYEVA", "AIGERIM", datetime.date(2015, 1, 20), "женский", "ребёнок"),
]
# The documents required for the status (StatusRequiredDocument): the applicant's own four kinds,
# and a passport, a proof of Kazakh ethnicity and a photo of everyone.
APPLICANT_DOCS = ["заявление установленной формы", "автобиография", "документ о цели переезда"]
EVERYONE_DOCS = ["заграничный паспорт", "документ, подтверждающий казахскую национальность", "фотография"]
NEEDS_TRANSLATION = {"заграничный паспорт", "документ, подтверждающий казахскую национальность"}


@pytest.fixture
def earlier_record(demo_data):
    """The wife was registered once before, from an arrival list, with her name spelled otherwise."""
    from tests.factories import PersonFactory, country, region

    return PersonFactory(
        surname="Серикбаева",
        given_name="Гульнар",
        surname_latin="SERIKBAEVA",
        given_name_latin="GULNAR",
        birth_date=FAMILY[1][4],
        sex="F",
        region=region("pavlodar"),
        country_of_origin=country("CN"),
    )


@pytest.fixture
def files(tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes())
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(60, 80)))
    return {"scan": scan, "photo": photo}


def _ddmmyyyy(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def register_person(j, person, *, documents, files, add_another: bool):
    surname, given, surname_lat, given_lat, born, sex, _rel = person
    page = j.page
    j.fill("Фамилия:", surname)
    j.fill("Имя:", given)
    j.fill("Фамилия (латиницей):", surname_lat)
    j.fill("Имя (латиницей):", given_lat)
    j.fill("Дата рождения:", _ddmmyyyy(born))
    j.select("Пол:", sex)
    j.select("Когда-либо был гражданином Казахстана:", "Нет")
    j.fill("Номер заграничного паспорта:", f"E{born:%y%m%d}{len(given):02d}")
    j.autocomplete("id_passport_country", CHINA)
    j.autocomplete("id_country_of_origin", CHINA)
    j.autocomplete("id_citizenship", CHINA)
    j.select("Регион проживания:", PAVLODAR)
    group = page.locator("#documents-group")
    for i, kind in enumerate(documents):
        j.click(group.get_by_role("button", name=re.compile("Добавить ещ")), navigates=False)
        row = f"documents-{i}-"
        j.clicks += 1
        group.locator(f"select[name='{row}doc_type']").select_option(label=_option(group, row, kind))
        if kind == "заграничный паспорт":
            j.fields_filled += 1
            group.locator(f"input[name='{row}number']").fill(f"E{born:%y%m%d}{len(given):02d}")
        if kind in NEEDS_TRANSLATION:
            j.clicks += 1
            group.locator(f"select[name='{row}translation']").select_option(label=NOTARISED)
        j.upload(group.locator(f"input[name='{row}file']"), files["photo" if kind == "фотография" else "scan"])
    j.shot(f"person-form-{given_lat.lower()}")
    j.button("Сохранить и добавить другой объект" if add_another else "Сохранить", exact=True)


def _option(group, row: str, starts: str) -> str:
    labels = group.locator(f"select[name='{row}doc_type'] option").all_inner_texts()
    return next(label for label in labels if label.startswith(starts))


def test_caseworker_day(earlier_record, journey, files, live_server):
    from oralman.models import KandasStatus, Person

    j = journey
    j.begin("log in")
    j.login("caseworker.pavlodar", "kandas-case-2026")
    j.shot("home")

    j.begin("register the family")
    j.nav("Лица", add=True)
    for n, person in enumerate(FAMILY):
        docs = [*APPLICANT_DOCS, *EVERYONE_DOCS] if n == 0 else EVERYONE_DOCS
        register_person(j, person, documents=docs, files=files, add_another=n < len(FAMILY) - 1)
        if n == 1:
            j.expect_text(re.compile("Возможный дубликат"))
            j.shot("duplicate-warning")
    j.shot("persons-registered")
    people = {p.given_name_latin: p for p in Person.objects.filter(surname_latin__startswith="SERIKBAYEV")}
    assert len(people) == 4, people
    assert sum(p.documents.count() for p in people.values()) == 6 + 3 * 3

    j.begin("create the family")
    j.nav("Семьи", add=True)
    j.autocomplete("id_head", "Серікбаев Нұрлан", pick="Серікбаев Нұрлан")
    j.select("Регион:", PAVLODAR)
    group = j.page.locator("#members-group")
    for i, person in enumerate(FAMILY[1:]):
        if i > 0:
            j.click(group.get_by_role("button", name=re.compile("Добавить ещ")), navigates=False)
        j.autocomplete(f"id_members-{i}-person", f"{person[0]} {person[1]}")
        j.clicks += 1
        group.locator(f"select[name='members-{i}-relationship']").select_option(label=person[6])
    j.shot("family-form")
    j.button("Сохранить", exact=True)
    j.shot("family-saved")

    j.begin("file the family's application")
    family_row = j.page.locator("#result_list").get_by_role("row").filter(has_text=FAMILY[0][0])
    case_file = family_row.locator("a[href$='/case-file/']")
    if case_file.count():  # the family's case file files one application for the whole family
        j.click(case_file.first)
        j.shot("case-file")
        j.click(j.page.get_by_role("link", name="Действия", exact=True), navigates=False)  # a tab
        j.button("Подать заявление")
    else:
        j.nav("Заявления на статус", add=True)
        j.autocomplete("id_applicant", "Серікбаев Нұрлан")
        j.autocomplete("id_family", "Серікбаев")
        j.select("Регион:", PAVLODAR)
        group = j.page.locator("#listed_members-group")
        for i, person in enumerate(FAMILY[1:]):
            if i > 0:
                j.click(group.get_by_role("button", name=re.compile("Добавить ещ")), navigates=False)
            j.autocomplete(f"id_listed_members-{i}-person", f"{person[0]} {person[1]}")
        j.shot("application-form")
        j.button("Сохранить и продолжить редактирование", exact=True)
    j.shot("application-draft")
    j.link(SUBMIT)
    j.button(SUBMIT)
    j.link("Начать рассмотрение")
    j.button("Начать рассмотрение")
    j.shot("application-under-review")
    application_url = j.page.url

    j.begin("check the documents")
    verify_documents(j, "Серікбаев")
    j.shot("documents-verified")
    j.open(application_url)  # back to the application (no link from the documents list)
    j.expect_text(re.compile("полный комплект|complete and verified|толық", re.I))

    j.begin("grant the status")
    j.link("Передать в комиссию")
    j.button("Передать в комиссию")
    j.link("Внести рекомендацию комиссии")
    j.select("Рекомендация:", "присвоить статус")
    j.button("Внести рекомендацию комиссии")
    j.shot("commission-recommends")
    j.link("Присвоить статус")
    for surname, given, _sl, _gl, born, sex, _rel in FAMILY:
        j.fill(f"ИИН: {surname} {given}", unique_iin(born, "M" if sex == "мужской" else "F"), exact=False)
    j.shot("grant-form")
    j.button("Присвоить статус")
    j.expect_text(re.compile("присвоен|Готово"))
    j.shot("granted")
    head = Person.objects.get(surname_latin="SERIKBAYEV", given_name_latin="NURLAN")
    status = KandasStatus.objects.get(person=head)

    j.begin("print the certificates")
    on_application = j.page.get_by_role("link", name=status.certificate_number)
    if not on_application.count():  # the certificate number was plain text on the application
        j.nav("Статусы кандасов (оралманов)")
    j.link(status.certificate_number)
    j.shot("status")
    urls = []
    for short in ("ҚАЗ", "РУС"):
        download = j.download(j.page.get_by_role("button", name=re.compile(f"PDF {short}")))
        text = pdf_text(download)
        assert head.surname_latin in text or head.surname in text, text[:300]
        urls.append(verification_url(text))
        j.page.reload()  # the button became a download link
    j.shot("certificates-issued")
    for url in urls:
        j.read_paper_link(url, "verification-page")
        assert re.search("действител|жарамды|valid", j.last_paper_text, re.I), j.last_paper_text[:300]

    j.begin("file the quota request")
    j.nav("Заявки на включение в квоту", add=True)
    j.select(
        "Семья:", next(o for o in j.page.get_by_label("Семья:").locator("option").all_inner_texts() if "Серікбаев" in o)
    )
    j.select("Год квоты:", j.page.get_by_label("Год квоты:").locator("option").all_inner_texts()[1])
    j.select("Регион вселения:", PAVLODAR)
    j.shot("quota-request-form")
    j.button("Сохранить", exact=True)
    j.shot("quota-request-filed")

    j.begin("file the citizenship documents")
    j.nav("Лица")
    j.row_link(head.surname, head.given_name)
    group = j.page.locator("#documents-group")
    start = int(group.locator("input[name='documents-TOTAL_FORMS']").input_value())
    for i, kind in enumerate(["удостоверение кандаса", "нотариально заверенный отказ", "обязательство"], start=start):
        j.click(group.get_by_role("button", name=re.compile("Добавить ещ")), navigates=False)
        row = f"documents-{i}-"
        j.clicks += 1
        group.locator(f"select[name='{row}doc_type']").select_option(label=_option(group, row, kind))
        j.upload(group.locator(f"input[name='{row}file']"), files["scan"])
    j.shot("citizenship-documents-form")
    j.button("Сохранить", exact=True)
    verify_documents(j, "Серікбаев")

    j.begin("citizenship application")
    j.nav("Заявления о приёме в гражданство", add=True)
    j.autocomplete("id_person", f"{head.surname} {head.given_name}")
    j.select(
        "Основание:",
        next(
            o for o in j.page.get_by_label("Основание:").locator("option").all_inner_texts() if o.startswith("кандас")
        ),
    )
    j.select("Регион подачи:", PAVLODAR)
    j.autocomplete("id_former_citizenship", CHINA)
    j.shot("citizenship-form")
    j.button("Сохранить и продолжить редактирование", exact=True)
    j.shot("citizenship-filed")
    attach_documents(j, head)
    j.shot("citizenship-documents-attached")
    j.link("Начать рассмотрение")
    j.button("Начать рассмотрение")
    j.link("Принять в гражданство")
    j.fill("Зарегистрировавший орган:", "Департамент полиции Павлодарской области")
    j.fill("Регистрационный номер:", "ДП-2026-0417")
    j.fill("Дата регистрации:", _ddmmyyyy(datetime.date.today()))
    j.shot("citizenship-grant-form")
    j.button("Принять в гражданство")
    j.shot("citizen")
    shown = " ".join([*j.messages(), j.page.locator("#content").inner_text()])
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", shown), "a date is shown as yyyy-mm-dd, not dd.mm.yyyy"

    j.begin("print the decision letter")
    download = j.download(j.page.get_by_role("button", name=re.compile("PDF РУС")))
    text = pdf_text(download)
    j.read_paper_link(verification_url(text), "decision-verification-page")
    head.refresh_from_db()
    assert head.citizen_since is not None
    print(j.counts())


SUBMIT = re.compile("^(Подать|Отправить)$")


def verify_documents(j, surname: str) -> None:
    """The documents list: the unverified documents of the family, all selected, one action."""
    j.nav("Документы")
    search = j.page.locator("#searchbar")
    search.fill(surname)
    j.fields_filled += 1
    j.click(j.page.get_by_role("button", name=re.compile("Найти|Search")))
    j.check_box(re.compile("Выбрать все|Select all"))
    j.select(re.compile("Действие"), "Отметить выбранные документы как проверенные", exact=False)
    j.button(re.compile("Выполнить|Go"))
    j.expect_text(re.compile("проверен", re.I), within=j.page.locator("ul.messagelist"))


def attach_documents(j, person) -> None:
    """Each filed document of the person, attached to the citizenship application by its number."""
    from oralman.models import Document

    group = j.page.locator("#filed_documents-group, [id$='documents-group']").first
    kinds = ["application_form", "kandas_certificate", "passport", "renunciation", "undertaking"]
    prefix = group.locator("input[name$='-TOTAL_FORMS']").get_attribute("name").removesuffix("-TOTAL_FORMS")
    for i, kind in enumerate(kinds):
        document = Document.objects.filter(person=person, doc_type=kind).latest("id")
        j.click(group.get_by_role("button", name=re.compile("Добавить ещ")), navigates=False)
        field = group.locator(f"[name='{prefix}-{i}-document']")
        if field.evaluate("e => e.tagName") == "SELECT":  # the applicant's own documents
            j.clicks += 1
            field.select_option(value=str(document.pk))
        else:  # a raw id box: the number looked up by hand
            j.fields_filled += 1
            field.fill(str(document.pk))
    j.button("Сохранить и продолжить редактирование", exact=True)


def pdf_text(download) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)


def verification_url(text: str) -> str:
    found = re.search(r"https?://\S+/verify/[A-Z0-9-]+/?(\?lang=[a-z]{2})?", text.replace("\n", ""))
    assert found, f"no verification link in the PDF: {text[:400]}"
    return found.group(0)

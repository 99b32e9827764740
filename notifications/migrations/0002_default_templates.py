"""The message of every agreed event in Russian, Kazakh and English (administrators edit them later).

Context variables each event's caller passes are listed in docs/notifications.md; `recipient_name`
is always there. Missing variables render as empty, so the `{% if %}` blocks keep the text readable.
Existing rows are left alone (an administrator may have edited them).
"""

from django.db import migrations

D = '|date:"d.m.Y"'

SIGNATURE = {
    "ru": "\n\n—\nСлужба по делам кандасов",
    "kk": "\n\n—\nҚандастар ісі жөніндегі қызмет",
    "en": "\n\n—\nKandas case management service",
}
GREETING = {
    "ru": "Уважаемый(ая) {{ recipient_name }}!\n\n",
    "kk": "Құрметті {{ recipient_name }}!\n\n",
    "en": "Dear {{ recipient_name }},\n\n",
}

# event -> language -> (subject, body, sms text); every body gets a signature, all but alerts a greeting.
TEMPLATES = {
    "status.granted": {
        "ru": (
            "Вам присвоен статус кандаса",
            "Вам присвоен статус кандаса (оралмана). Удостоверение № {{ certificate_number }}{% if valid_until %}, действительно до {{ valid_until"
            + D
            + " }}{% endif %}.\n"
            "Получите удостоверение в управлении занятости и социальных программ вашего региона.",
            "Вам присвоен статус кандаса. Удостоверение № {{ certificate_number }}{% if valid_until %}, действительно до {{ valid_until"
            + D
            + " }}{% endif %}.",
        ),
        "kk": (
            "Сізге қандас мәртебесі берілді",
            "Сізге қандас мәртебесі берілді. Куәлік № {{ certificate_number }}{% if valid_until %}, {{ valid_until"
            + D
            + " }} дейін жарамды{% endif %}.\n"
            "Куәлікті өңіріңіздің жұмыспен қамту және әлеуметтік бағдарламалар басқармасынан алыңыз.",
            "Сізге қандас мәртебесі берілді. Куәлік № {{ certificate_number }}{% if valid_until %}, {{ valid_until"
            + D
            + " }} дейін жарамды{% endif %}.",
        ),
        "en": (
            "Kandas status granted",
            "You have been granted the kandas (oralman) status. Certificate No. {{ certificate_number }}{% if valid_until %}, valid until {{ valid_until"
            + D
            + " }}{% endif %}.\n"
            "Please collect the certificate at the employment and social programmes department of your region.",
            "Kandas status granted. Certificate No. {{ certificate_number }}{% if valid_until %}, valid until {{ valid_until"
            + D
            + " }}{% endif %}.",
        ),
    },
    "status.refused": {
        "ru": (
            "Решение по заявлению о присвоении статуса кандаса",
            "В присвоении статуса кандаса по заявлению № {{ application_id }} отказано.{% if ground_name %}\nОснование: {{ ground_name }}.{% endif %}\n"
            "Вы можете обжаловать решение или подать заявление повторно. Разъяснения даст управление вашего региона.",
            "Отказано в статусе кандаса по заявлению № {{ application_id }}.{% if ground_name %} Основание: {{ ground_name }}.{% endif %}",
        ),
        "kk": (
            "Қандас мәртебесін беру туралы өтініш бойынша шешім",
            "№ {{ application_id }} өтініш бойынша қандас мәртебесін беруден бас тартылды.{% if ground_name %}\nНегізі: {{ ground_name }}.{% endif %}\n"
            "Шешімге шағымдануға немесе өтінішті қайта беруге болады. Түсініктемені өңіріңіздің басқармасы береді.",
            "№ {{ application_id }} өтініш бойынша қандас мәртебесінен бас тартылды.{% if ground_name %} Негізі: {{ ground_name }}.{% endif %}",
        ),
        "en": (
            "Decision on your kandas status application",
            "Your application No. {{ application_id }} for the kandas status has been refused.{% if ground_name %}\nGround: {{ ground_name }}.{% endif %}\n"
            "You may appeal the decision or apply again. The department of your region will explain the decision.",
            "Your kandas status application No. {{ application_id }} was refused.{% if ground_name %} Ground: {{ ground_name }}.{% endif %}",
        ),
    },
    "status.documents_requested": {
        "ru": (
            "Нужны документы по заявлению о статусе кандаса",
            "Ваше заявление № {{ application_id }} возвращено для представления документов:\n{{ reason }}\n\n"
            "Срок рассмотрения приостановлен до их представления и начнётся заново, когда пакет документов будет полным.",
            "Заявление № {{ application_id }}: нужны документы: {{ reason|truncatechars:100 }}",
        ),
        "kk": (
            "Қандас мәртебесі туралы өтінішке құжаттар қажет",
            "№ {{ application_id }} өтінішіңіз құжаттарды ұсыну үшін қайтарылды:\n{{ reason }}\n\n"
            "Қарау мерзімі құжаттар ұсынылғанға дейін тоқтатылды және құжаттар толық болғанда қайта басталады.",
            "№ {{ application_id }} өтініш: құжаттар қажет: {{ reason|truncatechars:100 }}",
        ),
        "en": (
            "Documents needed for your kandas status application",
            "Your application No. {{ application_id }} has been returned for documents:\n{{ reason }}\n\n"
            "The decision period is paused until you submit them and starts again when the application is complete.",
            "Application No. {{ application_id }}: documents needed: {{ reason|truncatechars:100 }}",
        ),
    },
    "status.expiring": {
        "ru": (
            "Срок удостоверения кандаса истекает {{ valid_until" + D + " }}",
            "Удостоверение кандаса № {{ certificate_number }} действительно до {{ valid_until"
            + D
            + " }} (осталось дней: {{ days_left }}).\n"
            "Если вам нужно больше времени, обратитесь за продлением в управление вашего региона или подайте заявление о приёме в гражданство.",
            "Удостоверение кандаса {{ certificate_number }} действительно до {{ valid_until"
            + D
            + " }}. Обратитесь за продлением или подайте заявление на гражданство.",
        ),
        "kk": (
            "Қандас куәлігінің мерзімі {{ valid_until" + D + " }} аяқталады",
            "№ {{ certificate_number }} қандас куәлігі {{ valid_until"
            + D
            + " }} дейін жарамды (қалған күн: {{ days_left }}).\n"
            "Қосымша уақыт қажет болса, мерзімді ұзарту үшін өңіріңіздің басқармасына жүгініңіз немесе азаматтыққа қабылдау туралы өтініш беріңіз.",
            "{{ certificate_number }} қандас куәлігі {{ valid_until"
            + D
            + " }} дейін жарамды. Мерзімді ұзартуға немесе азаматтыққа өтініш беріңіз.",
        ),
        "en": (
            "Your kandas certificate expires on {{ valid_until" + D + " }}",
            "Your kandas certificate No. {{ certificate_number }} is valid until {{ valid_until"
            + D
            + " }} ({{ days_left }} days left).\n"
            "If you need more time, apply for an extension at the department of your region, or apply for citizenship.",
            "Kandas certificate {{ certificate_number }} expires on {{ valid_until"
            + D
            + " }}. Apply for an extension or for citizenship.",
        ),
    },
    "quota.allocated": {
        "ru": (
            "Вашей семье выделено место в квоте иммиграции",
            "Вашей семье выделено место в квоте иммиграции{% if year %} на {{ year }} год{% endif %}{% if region_name %}, регион расселения: {{ region_name }}{% endif %}.\n"
            "Управление региона расселения свяжется с вами по поводу единовременной выплаты на переезд и жилищной поддержки.",
            "Семье выделено место в квоте иммиграции{% if year %} на {{ year }} год{% endif %}{% if region_name %}, {{ region_name }}{% endif %}.",
        ),
        "kk": (
            "Отбасыңызға иммиграция квотасынан орын бөлінді",
            "Отбасыңызға{% if year %} {{ year }} жылға{% endif %} иммиграция квотасынан орын бөлінді{% if region_name %}, қоныстану өңірі: {{ region_name }}{% endif %}.\n"
            "Қоныстану өңірінің басқармасы көшуге арналған біржолғы төлем және тұрғын үймен қамту бойынша сізбен хабарласады.",
            "Отбасыңызға{% if year %} {{ year }} жылға{% endif %} иммиграция квотасынан орын бөлінді{% if region_name %}, {{ region_name }}{% endif %}.",
        ),
        "en": (
            "A place in the immigration quota has been allocated to your family",
            "Your family has been allocated a place in the immigration quota{% if year %} for {{ year }}{% endif %}{% if region_name %} in {{ region_name }}{% endif %}.\n"
            "The department of the region of settlement will contact you about the relocation allowance and housing support.",
            "Your family has a place in the immigration quota{% if year %} for {{ year }}{% endif %}{% if region_name %}, {{ region_name }}{% endif %}.",
        ),
    },
    "quota.waitlisted": {
        "ru": (
            "Ваша заявка на квоту включена в лист ожидания",
            "Места в квоте иммиграции{% if year %} на {{ year }} год{% endif %}{% if region_name %} ({{ region_name }}){% endif %} заняты, поэтому ваша заявка включена в лист ожидания{% if position %} (номер в очереди: {{ position }}){% endif %}.\n"
            "Освободившиеся места передаются по очереди листа ожидания; мы вам сообщим.",
            "Заявка на квоту в листе ожидания{% if position %}, номер {{ position }}{% endif %}. Сообщим, когда освободится место.",
        ),
        "kk": (
            "Квотаға өтініміңіз күту тізіміне енгізілді",
            "{% if year %}{{ year }} жылға {% endif %}иммиграция квотасындағы орындар{% if region_name %} ({{ region_name }}){% endif %} толық бөлінген, сондықтан өтініміңіз күту тізіміне енгізілді{% if position %} (кезектегі нөміріңіз: {{ position }}){% endif %}.\n"
            "Босаған орындар күту тізімінің кезегімен беріледі; сізге хабарлаймыз.",
            "Квотаға өтінім күту тізімінде{% if position %}, нөмір {{ position }}{% endif %}. Орын босағанда хабарлаймыз.",
        ),
        "en": (
            "Your quota request is on the waiting list",
            "All places of the immigration quota{% if year %} for {{ year }}{% endif %}{% if region_name %} in {{ region_name }}{% endif %} are taken, so your request is on the waiting list{% if position %} (position {{ position }}){% endif %}.\n"
            "Places that free up go to the waiting list in order; we will inform you.",
            "Quota request on the waiting list{% if position %}, position {{ position }}{% endif %}. We will inform you when a place frees up.",
        ),
    },
    "quota.promoted": {
        "ru": (
            "Вам выделено место в квоте из листа ожидания",
            "Освободилось место в квоте иммиграции{% if year %} на {{ year }} год{% endif %}{% if region_name %} ({{ region_name }}){% endif %}, и оно выделено вашей семье из листа ожидания.\n"
            "Управление региона расселения свяжется с вами.",
            "Семье выделено место в квоте{% if year %} на {{ year }} год{% endif %} из листа ожидания.",
        ),
        "kk": (
            "Күту тізімінен сізге квотадан орын бөлінді",
            "{% if year %}{{ year }} жылға {% endif %}иммиграция квотасында{% if region_name %} ({{ region_name }}){% endif %} орын босады және ол күту тізімінен отбасыңызға бөлінді.\n"
            "Қоныстану өңірінің басқармасы сізбен хабарласады.",
            "Отбасыңызға күту тізімінен{% if year %} {{ year }} жылға{% endif %} квотадан орын бөлінді.",
        ),
        "en": (
            "A quota place has been allocated to you from the waiting list",
            "A place in the immigration quota{% if year %} for {{ year }}{% endif %}{% if region_name %} in {{ region_name }}{% endif %} has freed up and has been allocated to your family from the waiting list.\n"
            "The department of the region of settlement will contact you.",
            "A quota place{% if year %} for {{ year }}{% endif %} has been allocated to your family from the waiting list.",
        ),
    },
    "citizenship.granted": {
        "ru": (
            "Вы приняты в гражданство Республики Казахстан",
            "Вы приняты в гражданство Республики Казахстан{% if decree_number %} (решение № {{ decree_number }}{% if decree_date %} от {{ decree_date"
            + D
            + " }}{% endif %}){% endif %}.\n"
            "Статус кандаса прекращается в тот же день. Обратитесь за удостоверением личности и паспортом гражданина.",
            "Вы приняты в гражданство РК{% if decree_number %}, решение № {{ decree_number }}{% endif %}. Обратитесь за удостоверением личности.",
        ),
        "kk": (
            "Сіз Қазақстан Республикасының азаматтығына қабылдандыңыз",
            "Сіз Қазақстан Республикасының азаматтығына қабылдандыңыз{% if decree_number %} ({% if decree_date %}{{ decree_date"
            + D
            + " }} {% endif %}№ {{ decree_number }} шешім){% endif %}.\n"
            "Қандас мәртебесі сол күні тоқтатылады. Азаматтың жеке куәлігі мен төлқұжатын алу үшін жүгініңіз.",
            "Сіз ҚР азаматтығына қабылдандыңыз{% if decree_number %}, № {{ decree_number }} шешім{% endif %}. Жеке куәлік алуға жүгініңіз.",
        ),
        "en": (
            "You have been admitted to the citizenship of the Republic of Kazakhstan",
            "You have been admitted to the citizenship of the Republic of Kazakhstan{% if decree_number %} (decision No. {{ decree_number }}{% if decree_date %} of {{ decree_date"
            + D
            + " }}{% endif %}){% endif %}.\n"
            "Your kandas status ends on the same day. Please apply for the identity card and passport of a citizen.",
            "You are a citizen of Kazakhstan{% if decree_number %}, decision No. {{ decree_number }}{% endif %}. Apply for your identity card.",
        ),
    },
    "citizenship.refused": {
        "ru": (
            "Решение по заявлению о приёме в гражданство",
            "По вашему заявлению № {{ application_id }} о приёме в гражданство принято решение об отказе.{% if ground_name %}\nОснование: {{ ground_name }}.{% endif %}\n"
            "Вы можете подать заявление повторно или обжаловать решение.",
            "Отказано в приёме в гражданство по заявлению № {{ application_id }}.{% if ground_name %} Основание: {{ ground_name }}.{% endif %}",
        ),
        "kk": (
            "Азаматтыққа қабылдау туралы өтініш бойынша шешім",
            "Азаматтыққа қабылдау туралы № {{ application_id }} өтінішіңіз бойынша бас тарту туралы шешім қабылданды.{% if ground_name %}\nНегізі: {{ ground_name }}.{% endif %}\n"
            "Өтінішті қайта беруге немесе шешімге шағымдануға болады.",
            "№ {{ application_id }} өтініш бойынша азаматтыққа қабылдаудан бас тартылды.{% if ground_name %} Негізі: {{ ground_name }}.{% endif %}",
        ),
        "en": (
            "Decision on your citizenship application",
            "Your citizenship application No. {{ application_id }} has been refused.{% if ground_name %}\nGround: {{ ground_name }}.{% endif %}\n"
            "You may apply again or appeal the decision.",
            "Citizenship application No. {{ application_id }} refused.{% if ground_name %} Ground: {{ ground_name }}.{% endif %}",
        ),
    },
    "citizenship.documents_requested": {
        "ru": (
            "Нужны документы по заявлению о приёме в гражданство",
            "Ваше заявление № {{ application_id }} о приёме в гражданство возвращено для представления документов:\n{{ reason }}\n\n"
            "Представьте их, чтобы рассмотрение продолжилось.",
            "Заявление на гражданство № {{ application_id }}: нужны документы: {{ reason|truncatechars:100 }}",
        ),
        "kk": (
            "Азаматтыққа қабылдау туралы өтінішке құжаттар қажет",
            "Азаматтыққа қабылдау туралы № {{ application_id }} өтінішіңіз құжаттарды ұсыну үшін қайтарылды:\n{{ reason }}\n\n"
            "Қарау жалғасуы үшін оларды ұсыныңыз.",
            "Азаматтыққа № {{ application_id }} өтініш: құжаттар қажет: {{ reason|truncatechars:100 }}",
        ),
        "en": (
            "Documents needed for your citizenship application",
            "Your citizenship application No. {{ application_id }} has been returned for documents:\n{{ reason }}\n\n"
            "Please submit them so that the review can continue.",
            "Citizenship application No. {{ application_id }}: documents needed: {{ reason|truncatechars:100 }}",
        ),
    },
    "center.checkout_approaching": {
        "ru": (
            "Срок проживания в центре «{{ center }}» истекает {{ planned_check_out_on" + D + " }}",
            "Срок вашего проживания в центре «{{ center }}»{% if check_in_on %} (с {{ check_in_on"
            + D
            + " }}){% endif %} заканчивается {{ planned_check_out_on"
            + D
            + " }}.\n"
            "Обратитесь к сотрудникам центра по вопросу жилья после выезда или продления проживания, если для этого есть основание.",
            "Проживание в центре «{{ center }}» заканчивается {{ planned_check_out_on"
            + D
            + " }}. Обратитесь к сотрудникам центра.",
        ),
        "kk": (
            "«{{ center }}» орталығында тұру мерзімі {{ planned_check_out_on" + D + " }} аяқталады",
            "«{{ center }}» орталығында{% if check_in_on %} ({{ check_in_on"
            + D
            + " }} бастап){% endif %} тұру мерзіміңіз {{ planned_check_out_on"
            + D
            + " }} аяқталады.\n"
            "Шыққаннан кейінгі тұрғын үй туралы немесе негіз болса тұру мерзімін ұзарту туралы орталық қызметкерлеріне жүгініңіз.",
            "«{{ center }}» орталығында тұру {{ planned_check_out_on"
            + D
            + " }} аяқталады. Орталық қызметкерлеріне жүгініңіз.",
        ),
        "en": (
            "Your stay at {{ center }} ends on {{ planned_check_out_on" + D + " }}",
            "Your stay at {{ center }}{% if check_in_on %} (since {{ check_in_on"
            + D
            + " }}){% endif %} is planned to end on {{ planned_check_out_on"
            + D
            + " }}.\n"
            "Please talk to the center staff about housing after check-out, or about a longer stay if you have a reason for it.",
            "Your stay at {{ center }} ends on {{ planned_check_out_on" + D + " }}. Please talk to the center staff.",
        ),
    },
    "center.overstay": {
        "ru": (
            "Превышен срок проживания в центре «{{ center }}»: {{ person }}",
            "{{ person }} проживает в центре «{{ center }}»{% if check_in_on %} с {{ check_in_on"
            + D
            + " }}{% endif %}; плановая дата выезда {{ planned_check_out_on"
            + D
            + " }} прошла.\n"
            "Оформите выезд или укажите основание для продления проживания.",
            "«{{ center }}»: {{ person }} проживает дольше {{ planned_check_out_on"
            + D
            + " }}. Оформите выезд или укажите основание.",
        ),
        "kk": (
            "«{{ center }}» орталығында тұру мерзімі асып кетті: {{ person }}",
            "{{ person }} «{{ center }}» орталығында{% if check_in_on %} {{ check_in_on"
            + D
            + " }} бастап{% endif %} тұрады; жоспарланған шығу күні {{ planned_check_out_on"
            + D
            + " }} өтіп кетті.\n"
            "Шығуды ресімдеңіз немесе тұруды ұзарту негізін көрсетіңіз.",
            "«{{ center }}»: {{ person }} {{ planned_check_out_on"
            + D
            + " }} кейін де тұрып жатыр. Шығуды ресімдеңіз немесе негізін көрсетіңіз.",
        ),
        "en": (
            "Overstay at {{ center }}: {{ person }}",
            "{{ person }} has stayed at {{ center }}{% if check_in_on %} since {{ check_in_on"
            + D
            + " }}{% endif %}; the planned check-out date {{ planned_check_out_on"
            + D
            + " }} has passed.\n"
            "Check the resident out or record the reason for a longer stay.",
            "{{ center }}: {{ person }} stays beyond {{ planned_check_out_on"
            + D
            + " }}. Check out or record a reason.",
        ),
    },
    "caseworker.deadline_digest": {
        "ru": (
            "Сроки решений до {{ until" + D + " }}: дел — {{ count }}",
            "Решения, срок которых наступает в вашем регионе до {{ until"
            + D
            + " }}{% if overdue_count %} (просрочено: {{ overdue_count }}){% endif %}:\n"
            "{% for item in items %}\n- {{ item.due"
            + D
            + " }}{% if item.overdue %} ПРОСРОЧЕНО{% endif %}: {{ item.kind }} № {{ item.reference }}, {{ item.person }}{% endfor %}",
            "Решений со сроком до {{ until"
            + D
            + " }}: {{ count }}{% if overdue_count %}, просрочено: {{ overdue_count }}{% endif %}.",
        ),
        "kk": (
            "{{ until" + D + " }} дейінгі шешім мерзімдері: {{ count }} іс",
            "Өңіріңізде {{ until"
            + D
            + " }} дейін мерзімі келетін шешімдер{% if overdue_count %} (мерзімі өткені: {{ overdue_count }}){% endif %}:\n"
            "{% for item in items %}\n- {{ item.due"
            + D
            + " }}{% if item.overdue %} МЕРЗІМІ ӨТКЕН{% endif %}: {{ item.kind }} № {{ item.reference }}, {{ item.person }}{% endfor %}",
            "{{ until"
            + D
            + " }} дейін мерзімі келетін шешімдер: {{ count }}{% if overdue_count %}, мерзімі өткені: {{ overdue_count }}{% endif %}.",
        ),
        "en": (
            "Decision deadlines until {{ until" + D + " }}: {{ count }} case(s)",
            "Decisions due in your region by {{ until"
            + D
            + " }}{% if overdue_count %} ({{ overdue_count }} overdue){% endif %}:\n"
            "{% for item in items %}\n- {{ item.due"
            + D
            + " }}{% if item.overdue %} OVERDUE{% endif %}: {{ item.kind }} No. {{ item.reference }}, {{ item.person }}{% endfor %}",
            "{{ count }} decision(s) due by {{ until"
            + D
            + " }}{% if overdue_count %}, {{ overdue_count }} overdue{% endif %}.",
        ),
    },
}
TO_STAFF = {"center.overstay"}


def load(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for event, languages in TEMPLATES.items():
        for language, (subject, body, sms_text) in languages.items():
            greeting = "" if event in TO_STAFF else GREETING[language]
            body = greeting + body + SIGNATURE[language]
            NotificationTemplate.objects.get_or_create(
                event=event, language=language, defaults={"subject": subject, "body": body, "sms_text": sms_text}
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

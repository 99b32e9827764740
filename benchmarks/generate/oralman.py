"""Persons, families, members, status applications and statuses, shaped by DOMAIN.md.

Shape of the data (sources in /work/shared/DOMAIN.md, the rest a documented guess):
- arrivals per year 1991-2026 follow ARRIVALS_THOUSANDS (public totals: ~1.16 million since 1991,
  2019 ~13,000 ... 2025 16,805); the current year only up to `today`;
- countries of origin: up to 2016 Uzbekistan 61.6 %, China 14.2 %, Mongolia 9.2 %, Turkmenistan
  6.8 %, Russia 4.6 %, others 3.6 %; 2025 Uzbekistan 44.5 %, China 44.1 %; linear in between;
- the region of settlement depends on the origin (Uzbekistan -> south, China -> south-east and
  east, Mongolia -> east and north, Turkmenistan -> Mangystau, Russia -> north and west), with the
  quota's northern regions gaining weight from 2014;
- a family is the unit of arrival: one head, a spouse, children, sometimes a parent; each family
  files a status application (more than one when applications > families: the earlier ones were
  refused or withdrawn); old applications are decided (mostly granted), recent ones spread over
  every state with real clock and deadline dates (working days by the KZ calendar, the dated
  status rule's deadline);
- a granted family gets IINs (core.iin.make_iin) and a certificate; most statuses ended when the
  family became citizens (citizen_since), some expired, a few ended otherwise.
"""

from __future__ import annotations

import bisect
import datetime
from itertools import accumulate

from dateutil.relativedelta import relativedelta

from benchmarks.generate import Context, generator
from benchmarks.generate.names import (
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAME_STEMS,
    full_key,
    patronymic,
    surname_forms,
    to_passport_latin,
)
from core.iin import make_iin
from core.workdays import add_working_days

# Sums to about 1.16 million for 1991-2025 (DOMAIN.md: "about 1.16 million kandas arrived since 1991");
# 2019-2025 as published, the earlier years shaped after the waves of 1992-1994 and Nurly kosh (2005-2011).
ARRIVALS_THOUSANDS = {
    1991: 25, 1992: 55, 1993: 80, 1994: 65, 1995: 35, 1996: 28, 1997: 22, 1998: 16, 1999: 15,
    2000: 12, 2001: 15, 2002: 20, 2003: 30, 2004: 55, 2005: 60, 2006: 62, 2007: 68, 2008: 60,
    2009: 55, 2010: 50, 2011: 45, 2012: 38, 2013: 33, 2014: 30, 2015: 27, 2016: 23, 2017: 20,
    2018: 15, 2019: 13, 2020: 12, 2021: 12.5, 2022: 19.178, 2023: 15, 2024: 12.325, 2025: 16.805,
    2026: 15,
}  # fmt: skip

ORIGIN_UP_TO_2016 = {"UZ": 61.6, "CN": 14.2, "MN": 9.2, "TM": 6.8, "RU": 4.6, "KG": 1.2, "TJ": 0.8, "TR": 0.6,
                     "IR": 0.5, "AF": 0.5}  # fmt: skip
ORIGIN_2025 = {"UZ": 44.5, "CN": 44.1, "MN": 4.5, "TM": 3.0, "RU": 2.4, "KG": 0.7, "TJ": 0.3, "TR": 0.2, "IR": 0.2,
               "AF": 0.1}  # fmt: skip

REGIONS_BY_ORIGIN = {
    "UZ": {"turkistan": 30, "shymkent": 14, "jambyl": 10, "mangystau": 9, "almaty-region": 8, "kyzylorda": 7,
           "almaty": 5, "astana": 5, "aktobe": 3, "karaganda": 2, "atyrau": 2, "jetisu": 2, "west-kazakhstan": 1,
           "akmola": 1, "kostanay": 1},
    "CN": {"almaty-region": 28, "jetisu": 20, "almaty": 12, "abai": 10, "east-kazakhstan": 10, "astana": 6,
           "jambyl": 4, "pavlodar": 3, "akmola": 3, "karaganda": 2, "turkistan": 2},
    "MN": {"east-kazakhstan": 25, "abai": 20, "pavlodar": 12, "karaganda": 10, "akmola": 8, "astana": 6,
           "north-kazakhstan": 6, "almaty-region": 5, "kostanay": 4, "ulytau": 4},
    "TM": {"mangystau": 55, "atyrau": 12, "aktobe": 10, "west-kazakhstan": 8, "turkistan": 8, "kyzylorda": 7},
    "RU": {"north-kazakhstan": 18, "kostanay": 16, "west-kazakhstan": 15, "aktobe": 12, "pavlodar": 10,
           "akmola": 10, "east-kazakhstan": 9, "atyrau": 5, "astana": 5},
}  # fmt: skip
REGIONS_OTHER = {"almaty": 20, "astana": 20, "shymkent": 15, "turkistan": 15, "almaty-region": 15, "mangystau": 15}
QUOTA_REGIONS = ["akmola", "abai", "kostanay", "pavlodar", "east-kazakhstan", "north-kazakhstan"]

LANGUAGE_BY_ORIGIN = {"UZ": "uz", "CN": "zh", "MN": "mn", "TM": "tk", "RU": "ru", "KG": "ky", "TJ": "tg",
                      "TR": "tr", "IR": "fa", "AF": "ps"}  # fmt: skip
PASSPORT_PREFIX = {"UZ": "AA", "CN": "E", "MN": "E", "TM": "A", "RU": "75", "KG": "AN", "TJ": "A", "TR": "U",
                   "IR": "K", "AF": "P"}  # fmt: skip
OTHER_ETHNICITY = {"UZ": "uzbek", "CN": "uyghur", "MN": "mongol", "TM": "turkmen", "RU": "russian", "KG": "kyrgyz",
                   "TJ": "tajik", "TR": "turkish", "IR": "persian", "AF": "afghan"}  # fmt: skip
PROFESSIONS = ["учитель", "врач", "медсестра", "водитель", "инженер", "агроном", "ветеринар", "чабан",
               "механизатор", "сварщик", "строитель", "бухгалтер", "продавец", "повар", "швея", "электрик",
               "тракторист", "экономист", "программист", "домохозяйка", "пенсионер", ""]  # fmt: skip
EDUCATION_ADULT = (["secondary"] * 45 + ["vocational"] * 25 + ["higher"] * 22 + ["primary"] * 6 + ["postgraduate"] * 1
                   + ["none"] * 1)  # fmt: skip
STREETS = ["Абая", "Абылай хана", "Назарбаева", "Кенесары", "Жамбыла", "Сейфуллина", "Достык", "Момышулы",
           "Байтурсынова", "Толе би", "Ауэзова", "Республики"]  # fmt: skip
CENTRE_RU = {"Semey": "Семей", "Kokshetau": "Кокшетау", "Aktobe": "Актобе", "Konaev": "Конаев", "Atyrau": "Атырау",
             "Oskemen": "Усть-Каменогорск", "Taraz": "Тараз", "Taldykorgan": "Талдыкорган", "Karaganda": "Караганда",
             "Kostanay": "Костанай", "Kyzylorda": "Кызылорда", "Aktau": "Актау", "Petropavl": "Петропавловск",
             "Pavlodar": "Павлодар", "Turkistan": "Туркестан", "Jezkazgan": "Жезказган", "Oral": "Уральск"}  # fmt: skip

FAMILY_SIZE_WEIGHTS = {1: 12, 2: 16, 3: 19, 4: 20, 5: 15, 6: 9, 7: 5, 8: 3, 9: 1}
RECENT_DAYS = 120
RETURN_REASON = "Не хватает документа, подтверждающего казахскую национальность"
STATES_RECENT = {"draft": 6, "submitted": 14, "under_review": 22, "returned": 8, "granted": 42, "refused": 5,
                 "withdrawn": 3}  # fmt: skip
STATES_OLD = {"granted": 89, "refused": 6, "withdrawn": 4, "draft": 1}
STATES_EARLIER_ROUND = {"refused": 70, "withdrawn": 30}
CHANNEL_WEIGHTS_OLD = {"psc": 45, "embassy": 35, "department": 20}
CHANNEL_WEIGHTS_NEW = {"psc": 40, "egov": 40, "embassy": 12, "department": 8}

PERSON_COLUMNS = [
    "id", "surname", "given_name", "patronymic", "surname_latin", "given_name_latin", "patronymic_latin",
    "birth_date", "sex", "country_of_origin_id", "citizenship_id", "former_citizenship_id", "ethnicity", "passport_number",
    "passport_country_id", "iin", "education", "profession", "languages", "phone", "email", "address",
    "preferred_language", "region_id", "citizen_since", "name_key", "latin_key", "created_at", "updated_at",
]  # fmt: skip
APPLICATION_COLUMNS = [
    "id", "applicant_id", "family_id", "region_id", "channel", "state", "submitted_on", "clock_started_on",
    "decision_due", "decided_on", "refusal_ground_id", "created_by_id", "created_at", "updated_at",
]  # fmt: skip
STATUS_COLUMNS = [
    "id", "person_id", "application_id", "certificate_number", "issued_on", "valid_until", "extensions",
    "terminated_on", "termination_reason", "termination_note",
]  # fmt: skip
N = r"\N"


class Picker:
    """Weighted choice with precomputed cumulative weights (random.choices re-sums every call)."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cum = list(accumulate(weights.values()))
        self.total = self.cum[-1]

    def __call__(self, rng) -> object:
        return self.keys[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _mix(a: dict, b: dict, t: float) -> dict:
    return {k: a.get(k, 0) * (1 - t) + b.get(k, 0) * t for k in set(a) | set(b)}


def origin_picker(year: int) -> Picker:
    if year <= 2016:
        return Picker(ORIGIN_UP_TO_2016)
    return Picker(_mix(ORIGIN_UP_TO_2016, ORIGIN_2025, min(1.0, (year - 2016) / 9)))


def family_sizes(rng, families: int, persons: int) -> list[int]:
    """`families` sizes from FAMILY_SIZE_WEIGHTS, adjusted so that they add up to `persons`."""
    pick = Picker(FAMILY_SIZE_WEIGHTS)
    sizes = [pick(rng) for _ in range(families)]
    diff = persons - sum(sizes)
    while diff > 0:
        i = rng.randrange(families)
        sizes[i] += 1
        diff -= 1
    while diff < 0:
        i = rng.randrange(families)
        if sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


def arrival_dates(rng, families: int, today: datetime.date) -> list[int]:
    """Sorted proleptic ordinals of the families' arrival (= first application) dates."""
    years = [y for y in ARRIVALS_THOUSANDS if y <= today.year]
    pick = Picker({y: ARRIVALS_THOUSANDS[y] for y in years})
    out = []
    last = today.toordinal()
    for _ in range(families):
        year = pick(rng)
        start = datetime.date(year, 1, 1).toordinal()
        end = min(datetime.date(year, 12, 31).toordinal(), last)
        out.append(rng.randint(start, end))
    out.sort()
    return out


class Deadlines:
    """decision_due for a clock start: the dated rule's working days by the KZ calendar (cached)."""

    def __init__(self, rules: list[tuple[datetime.date, int]]):
        self.rules = sorted(rules) or [(datetime.date(1991, 1, 1), 5)]
        self.starts = [r[0] for r in self.rules]
        self.cache: dict[int, int] = {}

    def due(self, ordinal: int) -> int:
        if ordinal not in self.cache:
            day = datetime.date.fromordinal(ordinal)
            i = max(0, bisect.bisect_right(self.starts, day) - 1)
            self.cache[ordinal] = add_working_days(day, self.rules[i][1]).toordinal()
        return self.cache[ordinal]


def _reference(loader) -> dict:
    with loader.connection.cursor() as cursor:
        cursor.execute("SELECT iso2, id FROM core_country")
        countries = dict(cursor.fetchall())
        cursor.execute("SELECT code, id, administrative_centre, name_ru FROM core_region")
        regions = {code: (pk, centre, name_ru) for code, pk, centre, name_ru in cursor.fetchall()}
        cursor.execute("SELECT id FROM oralman_refusalground ORDER BY code")
        grounds = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT valid_from, decision_working_days FROM oralman_statusrule")
        rules = cursor.fetchall()
    return {"countries": countries, "regions": regions, "grounds": grounds or [None], "rules": rules}


def _ts(ordinal: int, seconds: int) -> str:
    """A timestamp on that day during office hours, Almaty time (UTC+5)."""
    day = datetime.date.fromordinal(ordinal)
    return f"{day.isoformat()} {9 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+05"


def _d(ordinal: int | None) -> str:
    return N if ordinal is None else datetime.date.fromordinal(ordinal).isoformat()


@generator("oralman", tables=["oralman.Person", "oralman.Family", "oralman.FamilyMember",
                              "oralman.StatusApplication", "oralman.KandasStatus", "oralman.ApplicationTransition"], order=10)  # fmt: skip
def generate_oralman(ctx: Context) -> dict[str, int]:
    scale = ctx.scale
    rng = ctx.rng("oralman")
    ref = _reference(ctx.loader)
    countries, regions, grounds = ref["countries"], ref["regions"], ref["grounds"]
    kz = countries["KZ"]
    deadlines = Deadlines(ref["rules"])
    today = scale.today.toordinal()

    persons = ctx.loader.stream("oralman_person", PERSON_COLUMNS)
    families = ctx.loader.stream("oralman_family", ["id", "head_id", "region_id", "created_at"])
    members = ctx.loader.stream(
        "oralman_familymember", ["id", "family_id", "person_id", "relationship", "joined_on", "left_on"]
    )
    applications = ctx.loader.stream("oralman_statusapplication", APPLICATION_COLUMNS)
    statuses = ctx.loader.stream("oralman_kandasstatus", STATUS_COLUMNS)
    transitions = ctx.loader.stream(
        "oralman_applicationtransition", ["id", "application_id", "from_state", "to_state", "actor_id", "at", "reason"]
    )
    transition_id = 0

    sizes = family_sizes(rng, scale.families, scale.persons)
    dates = arrival_dates(rng, scale.families, scale.today)
    apps_per_family, extra = divmod(scale.applications, scale.families)
    region_pickers = {o: Picker(w) for o, w in REGIONS_BY_ORIGIN.items()}
    other_regions = Picker(REGIONS_OTHER)
    origin_pickers = {y: origin_picker(y) for y in ARRIVALS_THOUSANDS}
    pick_recent, pick_old, pick_earlier = Picker(STATES_RECENT), Picker(STATES_OLD), Picker(STATES_EARLIER_ROUND)
    pick_channel_old, pick_channel_new = Picker(CHANNEL_WEIGHTS_OLD), Picker(CHANNEL_WEIGHTS_NEW)
    surname_pick = Picker({s: 1 + (7 if i % 9 == 0 else 0) for i, s in enumerate(SURNAME_STEMS)})
    iin_serials: dict[tuple[int, str], int] = {}
    certificate_seq: dict[tuple[str, int], int] = {}
    random, randrange = rng.random, rng.randrange

    person_id = app_id = status_id = member_id = 0
    n_persons = n_apps = n_statuses = 0

    for family_index in range(scale.families):
        family_id = family_index + 1
        arrived = dates[family_index]
        year = datetime.date.fromordinal(arrived).year
        origin = origin_pickers[year](rng)
        if year >= 2014 and random() < 0.25:
            region_code = QUOTA_REGIONS[randrange(len(QUOTA_REGIONS))]
        else:
            region_code = (region_pickers.get(origin) or other_regions)(rng)
        region_id, centre, region_name = regions[region_code]
        origin_id = countries[origin]
        size = sizes[family_index]
        created = _ts(arrived, randrange(8 * 3600))

        # --- the family's applications: earlier rounds refused/withdrawn, the last one by age
        n_rounds = apps_per_family + (1 if family_index < extra else 0)
        app_rows = []
        granted_on = None
        for round_no in range(n_rounds):
            last = round_no == n_rounds - 1
            submitted = arrived - (n_rounds - 1 - round_no) * 400 + randrange(20)
            submitted = min(submitted, today)
            age = today - submitted
            if not last:
                state = pick_earlier(rng)
            elif age <= RECENT_DAYS:
                state = pick_recent(rng)
                if age < 3 and state in ("granted", "refused", "withdrawn"):
                    state = "under_review"
            else:
                state = pick_old(rng)
            channel = (pick_channel_new if year >= 2015 else pick_channel_old)(rng)
            created_app = submitted - randrange(10)
            clock = due = decided = ground = None
            sub = submitted
            if state == "draft":
                sub = None
            else:
                clock = submitted
                if state in ("submitted", "under_review") and random() < 0.2:
                    clock = min(today, submitted + 5 + randrange(30))  # resubmitted after a return
                due = deadlines.due(clock)
                if state == "returned":
                    due = None
                elif state in ("granted", "refused", "withdrawn"):
                    late = randrange(15) if random() < 0.1 else 0
                    decided = min(today, max(clock + 1, deadlines.due(clock) - randrange(5) + late))
                    if state == "refused":
                        ground = grounds[randrange(len(grounds))]
            app_id += 1
            updated = decided or clock or created_app
            app_rows.append((app_id, state))
            applications.write(
                f"{app_id}\t{person_id + 1}\t{family_id}\t{region_id}\t{channel}\t{state}\t{_d(sub)}\t{_d(clock)}\t"
                f"{_d(due)}\t{_d(decided)}\t{N if ground is None else ground}\t{N}\t"
                f"{_ts(created_app, randrange(8 * 3600))}\t{_ts(updated, randrange(8 * 3600))}\n"
            )
            if state == "granted":
                granted_on = decided
            # the application's history, in legal moves (oralman.services.LEGAL_TRANSITIONS)
            moves = []
            if state != "draft":
                moves.append(("draft", "submitted", submitted, ""))
                if state == "withdrawn":
                    moves.append(("submitted", "withdrawn", decided, "по заявлению"))
                elif state != "submitted" or clock != submitted:
                    moves.append(("submitted", "under_review", min(submitted + 1, today), ""))
                if clock != submitted:
                    moves.append(("under_review", "returned", min(submitted + 2, clock), RETURN_REASON))
                    moves.append(("returned", "submitted", clock, ""))
                    if state == "under_review":
                        moves.append(("submitted", "under_review", clock, ""))
                if state == "returned":
                    moves.append(("under_review", "returned", min(submitted + 2, today), RETURN_REASON))
                elif state in ("granted", "refused"):
                    moves.append(("under_review", state, decided, ""))
            for step, (from_state, to_state, on, reason) in enumerate(moves):
                transition_id += 1
                at = _ts(on, step * 3000 + randrange(2500))  # same-day moves keep their order
                transitions.write(f"{transition_id}\t{app_id}\t{from_state}\t{to_state}\t{N}\t{at}\t{reason}\n")
        n_apps += n_rounds

        # --- the status and its end
        citizen_since = None
        if granted_on is not None:
            issued = datetime.date.fromordinal(granted_on)
            extensions = 0
            valid_until = (issued + relativedelta(months=12)).toordinal() - 1
            terminated = reason = None
            if valid_until < today:
                roll = random()
                if roll < 0.85:
                    terminated, reason = granted_on + 60 + randrange(valid_until - granted_on - 60), "citizenship"
                    citizen_since = terminated
                elif roll < 0.88:
                    terminated, reason = granted_on + randrange(300), "departure"
                elif roll < 0.885:
                    terminated, reason = granted_on + randrange(300), "death"
                elif roll < 0.887:
                    terminated, reason = granted_on + randrange(300), "revoked"
                else:
                    if random() < 0.3:
                        extensions = 1
                        valid_until = (datetime.date.fromordinal(valid_until) + relativedelta(months=6)).toordinal()
                    if valid_until < today:
                        terminated, reason = valid_until + 1, "expiry"
            code = region_code.upper()[:6]
            seq = certificate_seq.get((code, issued.year), 0) + 1
            certificate_seq[(code, issued.year)] = seq
            status_id += 1
            statuses.write(
                f"{status_id}\t{person_id + 1}\t{app_rows[-1][0]}\tKND-{code}-{issued.year}-{seq:06d}\t"
                f"{issued.isoformat()}\t{_d(valid_until)}\t{extensions}\t{_d(terminated)}\t{reason or ''}\t\n"
            )
            n_statuses += 1

        # --- the members
        stem = surname_pick(rng)
        kazakh_style = random() < (0.15 if year < 2005 else 0.35)
        head_sex = "M" if random() < 0.82 else "F"
        head_age = 22 + randrange(40)
        head_father = MALE_NAMES[randrange(len(MALE_NAMES))]
        husband_name = None
        roles = ["head"]
        if size >= 2:
            roles.append("spouse" if random() < 0.85 else "child")
        if size >= 4 and random() < 0.2:
            roles.append("parent")
        while len(roles) < size:
            roles.append("child" if random() < 0.92 else "grandchild" if head_age > 50 else "sibling")
        family_region_address = f"г. {CENTRE_RU.get(centre, region_name)}, ул. {STREETS[randrange(len(STREETS))]}"
        for role in roles:
            person_id += 1
            if role == "head":
                sex, age, father = head_sex, head_age, head_father
            elif role == "spouse":
                sex = "F" if head_sex == "M" else "M"
                age = max(18, head_age - 5 + randrange(9))
                father = MALE_NAMES[randrange(len(MALE_NAMES))]
            elif role == "parent":
                sex = "M" if random() < 0.4 else "F"
                age = head_age + 20 + randrange(15)
                father = MALE_NAMES[randrange(len(MALE_NAMES))]
            elif role == "sibling":
                sex = "M" if random() < 0.5 else "F"
                age = max(1, head_age - 8 + randrange(16))
                father = head_father
            else:
                sex = "M" if random() < 0.51 else "F"
                age = randrange(max(1, min(head_age - 18, 25)))
                father = husband_name or (
                    head_father if role == "grandchild" else MALE_NAMES[randrange(len(MALE_NAMES))]
                )
            birth = arrived - age * 365 - randrange(365)
            if role == "parent" and sex == "F" or role == "spouse" and sex == "F" and random() < 0.3:
                surname = surname_forms(SURNAME_STEMS[randrange(len(SURNAME_STEMS))])["F"]
            else:
                surname = surname_forms(stem)[sex + ("_kk" if kazakh_style else "")]
            given = (MALE_NAMES if sex == "M" else FEMALE_NAMES)[
                randrange(len(MALE_NAMES) if sex == "M" else len(FEMALE_NAMES))
            ]
            if role in ("head", "spouse") and sex == "M":
                husband_name = given
            pat = patronymic(father, sex, not kazakh_style and random() < 0.6) if random() < 0.9 else ""
            s_lat, g_lat, p_lat = to_passport_latin(surname), to_passport_latin(given), to_passport_latin(pat)
            birth_date = datetime.date.fromordinal(birth)
            iin = N
            if granted_on is not None:
                key = (birth, sex)
                serial = iin_serials.get(key, 0)
                value = None
                while value is None:
                    serial += 1
                    value = make_iin(birth_date, sex, serial)
                iin_serials[key] = serial
                iin = value
            adult = age >= 18
            ethnic = "kazakh" if role != "spouse" or random() < 0.9 else OTHER_ETHNICITY.get(origin, "other")
            if citizen_since is not None:  # the foreign citizenship is kept as the former one
                citizenship, former, since = kz, origin_id, _d(citizen_since)
            else:
                citizenship, former, since = (origin_id if random() < 0.98 else N), N, N
            languages = "{kk," + LANGUAGE_BY_ORIGIN.get(origin, "ru") + (",ru}" if random() < 0.4 else "}")
            persons.write(
                f"{person_id}\t{surname}\t{given}\t{pat}\t{s_lat}\t{g_lat}\t{p_lat}\t{birth_date.isoformat()}\t{sex}\t"
                f"{origin_id}\t{citizenship}\t{former}\t{ethnic}\t"
                f"{PASSPORT_PREFIX.get(origin, 'N')}{person_id:07d}\t{origin_id}\t{iin}\t"
                f"{EDUCATION_ADULT[randrange(100)] if adult else ('secondary' if age > 6 else 'none')}\t"
                f"{PROFESSIONS[randrange(len(PROFESSIONS))] if adult else ''}\t{languages}\t"
                f"{'+7701' + format(person_id % 10_000_000, '07d') if role == 'head' else ''}\t\t"
                f"{family_region_address + ', д. ' + str(1 + person_id % 97) if role == 'head' else ''}\t"
                f"{'kk' if random() < 0.7 else 'ru'}\t{region_id}\t{since}\t"
                f"{full_key(surname, given)}\t{full_key(s_lat, g_lat)}\t{created}\t{created}\n"
            )
            member_id += 1
            members.write(f"{member_id}\t{family_id}\t{person_id}\t{role}\t{_d(arrived)}\t{N}\n")
        n_persons += size
        families.write(f"{family_id}\t{person_id - size + 1}\t{region_id}\t{created}\n")

    for stream in (persons, families, members, applications, statuses, transitions):
        stream.flush()
    ctx.shared["today"] = scale.today
    return {
        "oralman_person": n_persons,
        "oralman_family": scale.families,
        "oralman_familymember": member_id,
        "oralman_statusapplication": n_apps,
        "oralman_kandasstatus": n_statuses,
        "oralman_applicationtransition": transition_id,
    }

"""Citizenship applications, derived set-based (INSERT ... SELECT) from the generated persons.

- every person with `citizen_since` (their family's kandas status ended by citizenship) has a
  granted application on the simplified procedure for kandas: registered on `citizen_since`, filed about
  70 days earlier (the decision is due within 3 months), the IIN they hold assigned;
- one in ten persons whose status expired was refused (a ground from the policy list);
- one in five holders of an active status filed in the last two months and waits (submitted, under
  review or returned for documents);
- each application has its history (CitizenshipTransition).
Deterministic: everything is a function of the persons' ids and dates.
"""

from __future__ import annotations

from benchmarks.generate import Context, generator

APPLICATIONS_SQL = """
INSERT INTO citizenship_citizenshipapplication
    (id, person_id, basis, region_id, former_citizenship_id, state, submitted_on, decision_due, decided_on,
     registering_body, registration_number, registration_date, iin_assigned, refusal_ground_id, decision_note,
     created_by_id, created_at, updated_at)
SELECT row_number() OVER (ORDER BY kind, person_id), person_id, 'oralman', region_id, former_citizenship_id, state,
       submitted_on, (submitted_on + INTERVAL '3 months')::date, decided_on, registering_body, registration_number,
       registration_date, iin_assigned,
       refusal_ground_id, '', NULL, submitted_on + TIME '10:00' AT TIME ZONE 'Asia/Almaty',
       COALESCE(decided_on, submitted_on) + TIME '16:00' AT TIME ZONE 'Asia/Almaty'
FROM (
    -- granted: the internal-affairs body registered them as citizens on citizen_since
    SELECT 1 AS kind, p.id AS person_id, p.region_id, p.country_of_origin_id AS former_citizenship_id,
           'granted' AS state, p.citizen_since - 70 AS submitted_on, p.citizen_since - 3 AS decided_on,
           'Управление миграционной службы ДП' AS registering_body,
           'РП-' || EXTRACT(YEAR FROM p.citizen_since)::int || '-' || p.id AS registration_number,
           p.citizen_since AS registration_date, p.iin AS iin_assigned, NULL::bigint AS refusal_ground_id
      FROM oralman_person p
     WHERE p.citizen_since IS NOT NULL AND p.iin IS NOT NULL
    UNION ALL
    -- refused: some whose status then expired
    SELECT 2, s.person_id, p.region_id, p.country_of_origin_id, 'refused', s.valid_until - 120, s.valid_until - 40,
           '', '', NULL, '', (SELECT id FROM citizenship_citizenshiprefusalground ORDER BY id
                          OFFSET (s.person_id %% 6) LIMIT 1)
      FROM oralman_kandasstatus s JOIN oralman_person p ON p.id = s.person_id
     WHERE s.termination_reason = 'expiry' AND s.person_id %% 10 = 0
    UNION ALL
    -- waiting: holders of an active status who filed in the last two months
    SELECT 3, s.person_id, p.region_id, p.country_of_origin_id,
           (ARRAY['submitted', 'under_review', 'returned'])[1 + s.person_id %% 3],
           GREATEST(s.issued_on + 1, %(today)s::date - 1 - (s.person_id %% 60)::int), NULL, '', '', NULL, '', NULL
      FROM oralman_kandasstatus s JOIN oralman_person p ON p.id = s.person_id
     WHERE s.terminated_on IS NULL AND s.person_id %% 5 = 0 AND s.issued_on < %(today)s::date - 1
) AS rows
"""

TRANSITIONS_SQL = """
INSERT INTO citizenship_citizenshiptransition (id, application_id, from_state, to_state, actor_id, at, reason)
SELECT row_number() OVER (ORDER BY a.id, m.step), a.id, m.from_state, m.to_state, NULL,
       m.on_day + (TIME '09:00' + m.step * INTERVAL '1 hour') AT TIME ZONE 'Asia/Almaty', m.reason
FROM citizenship_citizenshipapplication a
CROSS JOIN LATERAL (VALUES
    (1, '', 'submitted', a.submitted_on, ''),
    (2, 'submitted', 'under_review', LEAST(a.submitted_on + 7, COALESCE(a.decided_on, %(today)s::date)), ''),
    (3, 'under_review', a.state, COALESCE(a.decided_on, %(today)s::date),
        CASE WHEN a.state = 'returned' THEN 'Нет нотариального отказа от прежнего гражданства' ELSE '' END)
) AS m(step, from_state, to_state, on_day, reason)
WHERE m.step = 1 OR (m.step = 2 AND a.state <> 'submitted') OR (m.step = 3 AND a.state IN ('granted', 'refused', 'returned'))
"""


@generator("citizenship", tables=["citizenship.CitizenshipApplication", "citizenship.CitizenshipTransition"], order=30)
def generate_citizenship(ctx: Context) -> dict[str, int]:
    today = ctx.scale.today
    applications = ctx.loader.execute(APPLICATIONS_SQL, {"today": today})
    transitions = ctx.loader.execute(TRANSITIONS_SQL, {"today": today})
    # The load disables the triggers, among them the one that keeps the processing-time histogram.
    ctx.loader.execute("SELECT rebuild_processing_time_counts()")
    return {"citizenship_citizenshipapplication": applications, "citizenship_citizenshiptransition": transitions}

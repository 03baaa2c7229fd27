"""Creates the scale data set on PostgreSQL with generate_series (seconds, not hours):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/scale_data.py \
        --cases 1000000 --history 3000000 --incidents 100000 --fields 100000

It WIPES the cases, incidents, history and audit log of that database: it refuses to run unless
the database name contains "bench". Rows are realistic enough for the planner: ~8 % of cases open (received in the last 32 days, 30-day clocks),
spread over two years, eight jurisdictions, 40 assignees; history rows and audit-log entries are
three per case (case 1 has 50, for the change-page bench).
"""

import argparse
import json
import time

from _setup import setup

connection = setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import models  # noqa: E402


def literal(field):
    """SQL literal for a field's Python default (or blank), for columns the bench does not set."""
    if field.has_default():
        value = field.get_default()
    elif isinstance(field, (models.CharField, models.TextField)):
        value = ""
    elif field.null:
        return "NULL"
    else:
        raise SystemExit(f"bench: no value for NOT NULL column {field.model.__name__}.{field.column}")
    if isinstance(field, models.JSONField):
        return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if callable(value) or not isinstance(value, str):
        return "now()"
    return "'" + value.replace("'", "''") + "'"


def insert_series(model, count, values: dict, *, source=None):
    """INSERT INTO model SELECT <values or defaults> FROM generate_series(1, count) g."""
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        if getattr(field, "generated", False):  # computed by the database (Obligation.urgency)
            continue
        columns.append(f'"{field.column}"')
        exprs.append(values.get(field.column) or literal(field))
    source = source or f"generate_series(1, {count}) AS g"
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) SELECT {", ".join(exprs)} FROM {source}'
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def timed(label, fn):
    start = time.perf_counter()
    rows = fn()
    print(f"  {label:<48} {rows if rows is not None else '':>10} rows  {time.perf_counter() - start:6.1f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--history", type=int, default=3_000_000, help="history rows (and audit-log entries)")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--fields", type=int, default=100_000)
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to wipe database {name!r}; use a database whose name contains 'bench'.")

    from breach_app.models import Incident, Obligation
    from inventory_app.models import DataField
    from privacy_office.models import AuditLogEntry, Reminder
    from requests_app.models import RightsRequest

    print(f"database {name}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    User = get_user_model()
    staff = Group.objects.get(name="Privacy staff")
    manager = Group.objects.get(name="Privacy manager")
    for i in range(40):
        user, _ = User.objects.get_or_create(username=f"bench{i:02d}", defaults={"email": f"bench{i:02d}@aqara.example", "is_staff": True})
        user.groups.add(manager if i == 0 else staff)
    user_ids = sorted(User.objects.filter(username__startswith="bench").values_list("id", flat=True))
    first_user, users = user_ids[0], len(user_ids)

    HistoricalRightsRequest = RightsRequest.history.model
    with connection.cursor() as cursor:
        for model in (AuditLogEntry, Reminder, HistoricalRightsRequest, Obligation, Incident, RightsRequest, DataField):
            cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')

    jurisdictions = "(ARRAY['CN','EU','UK','US-CA','SG','KR','RU','BR'])[1 + g % 8]"
    # 92 % ended (closed/rejected/withdrawn/duplicate), 8 % open in five statuses.
    status = ("(CASE WHEN g % 100 < 92 THEN (ARRAY['closed','closed','closed','rejected','withdrawn','duplicate'])[1 + g % 6] "
              "ELSE (ARRAY['received','awaiting_identity','in_progress','awaiting_clarification','response_drafted'])[1 + g % 5] END)")
    # Ended cases spread over two years; open ones arrived in the last 32 days (a 30-day clock):
    # a few percent of the open cases are overdue, as in a working office.
    received = ("(now() - (CASE WHEN g % 100 < 92 THEN g % 730 ELSE g % 32 END) * interval '1 day' "
                "- ((g % 1440) * interval '1 minute'))")
    surnames = "(ARRAY['Wang','Li','Zhang','Liu','Chen','Yang','Huang','Zhao','Müller','Schmidt','Smith','Jones','Kim','Park','Ivanov','Silva','Tan','Lim'])"
    given = "(ARRAY['Wei','Fang','Na','Min','Jing','Lei','Anna','Lukas','Emma','James','Ji-woo','Olga','Pedro','Mei','Hui'])"
    timed(f"rights requests ({args.cases:,})", lambda: insert_series(RightsRequest, args.cases, {
        "id": "g",
        "reference": "'DSAR-' || (2024 + g % 3) || '-' || lpad(g::text, 7, '0')",
        "requester_name": f"{surnames}[1 + g % 18] || ' ' || {given}[1 + (g / 18) % 15] || ' ' || g",
        "requester_email": "'requester' || g || '@example.com'",
        "requester_phone": "'+86138' || lpad(g::text, 8, '0')",
        "account_id": "'aqara-' || g",
        "jurisdiction": jurisdictions,
        "request_type": "(ARRAY['access','deletion','correction'])[1 + g % 3]",
        "channel": "(ARRAY['email','in_app','web_form','phone','letter'])[1 + g % 5]",
        "received_at": received,
        "received_on": f"({received})::date",
        "due_on": f"({received})::date + 30",
        "due_rule": "'GDPR Art. 12(3); Reg. 1182/71 Art. 3(4)'",
        "status": status,
        "assignee_id": f"CASE WHEN g % 10 = 0 THEN NULL ELSE {first_user} + g % {users} END",
        "closed_at": f"CASE WHEN g % 100 < 92 THEN {received} + interval '20 days' ELSE NULL END",
        "rejection_reasons": "CASE WHEN g % 100 < 92 AND g % 6 = 3 THEN 'manifestly unfounded' ELSE '' END",
        "remedy_text": "CASE WHEN g % 100 < 92 AND g % 6 = 3 THEN 'complaint to the supervisory authority; judicial remedy' ELSE '' END",
        "created_at": received,
    }))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{RightsRequest._meta.db_table}', 'id'), {args.cases})")

    per_case = max(1, args.history // max(args.cases, 1))
    hist_cols = [f.column for f in RightsRequest._meta.concrete_fields]
    hist_select = ", ".join(f'r."{c}"' for c in hist_cols)
    def history():
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{HistoricalRightsRequest._meta.db_table}" ({", ".join(chr(34) + c + chr(34) for c in hist_cols)}, '
                f'history_date, history_change_reason, history_type, history_user_id) '
                f"SELECT {hist_select}, r.created_at + k * interval '1 hour', 'bench', "
                f"CASE WHEN k = 1 THEN '+' ELSE '~' END, r.assignee_id "
                f'FROM "{RightsRequest._meta.db_table}" r CROSS JOIN generate_series(1, {per_case}) k'
            )
            rows = cursor.rowcount
            cursor.execute(
                f'INSERT INTO "{HistoricalRightsRequest._meta.db_table}" ({", ".join(chr(34) + c + chr(34) for c in hist_cols)}, '
                f'history_date, history_change_reason, history_type, history_user_id) '
                f"SELECT {hist_select}, r.created_at + k * interval '1 minute', 'bench edit', '~', r.assignee_id "
                f'FROM "{RightsRequest._meta.db_table}" r CROSS JOIN generate_series(1, 47) k WHERE r.id = 1'
            )
            return rows + cursor.rowcount
    timed(f"rights-request history rows (~{args.history:,})", history)

    ct = ContentType.objects.get_for_model(RightsRequest).pk
    def audit():
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{AuditLogEntry._meta.db_table}" (at, user_id, user_name, content_type_id, object_id, object_repr, action, reason, changes, history_id) '
                f"SELECT h.history_date, h.history_user_id, '', {ct}, h.id::text, h.reference, h.history_type, h.history_change_reason, "
                f"""'[{{"field": "status", "old": "received", "new": "in_progress"}}]'::jsonb, h.history_id """
                f'FROM "{HistoricalRightsRequest._meta.db_table}" h'
            )
            return cursor.rowcount
    timed("audit-log entries", audit)

    discovered = "(now() - ((g % 900) * interval '1 day'))"
    timed(f"incidents ({args.incidents:,})", lambda: insert_series(Incident, args.incidents, {
        "id": "g",
        "reference": "'INC-' || (2024 + g % 3) || '-' || lpad(g::text, 6, '0')",
        "title": "'Incident ' || g || ': ' || (ARRAY['misdirected e-mail','lost laptop','API exposure','credential stuffing','vendor leak'])[1 + g % 5]",
        "discovered_at": discovered,
        "aware_at": discovered,
        "status": "CASE WHEN g % 50 = 0 THEN (ARRAY['open','assessing','notifying','monitoring'])[1 + g % 4] ELSE 'closed' END",
        "owner_id": f"{first_user} + g % {users}",
        "created_at": discovered,
    }))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Incident._meta.db_table}', 'id'), {args.incidents})")
    timed("obligations (3 per incident)", lambda: insert_series(Obligation, 0, {
        "incident_id": "i.id",
        "code": "(ARRAY['EU-SA','CN-CAC-PIPL','US-CA-IND'])[k]",
        "jurisdiction": "(ARRAY['EU','CN','US-CA'])[k]",
        "recipient": "(ARRAY['regulator','regulator','individuals'])[k]",
        "applicability": "'required'",
        "deadline_kind": "'instant'",
        "deadline": "i.discovered_at + (ARRAY[interval '72 hours', interval '4 hours', interval '30 days'])[k]",
        "clock_start": "i.discovered_at",
        "citation": "'bench'",
        "status": "CASE WHEN i.status = 'closed' THEN 'sent' ELSE 'pending' END",
        "sent_at": "CASE WHEN i.status = 'closed' THEN i.discovered_at + interval '2 hours' ELSE NULL END",
        "regulator_reference": "CASE WHEN i.status = 'closed' AND k < 3 THEN 'REG-' || (ARRAY['EDPB','CAC'])[k] || '-' || i.id ELSE '' END",
    }, source=f'"{Incident._meta.db_table}" i CROSS JOIN generate_series(1, 3) k'))

    def next_deadlines():
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{Obligation._meta.db_table}"')
            # One pass over the obligations, grouped, joined to the incidents: a correlated
            # min(deadline) per incident walked the deadline index once per incident and never
            # finished at 100,000 incidents. Live as in Obligation.live_q (services keep it so).
            cursor.execute(
                f'UPDATE "{Incident._meta.db_table}" i SET next_deadline = d.nearest FROM ('
                f'SELECT o.incident_id, min(o.deadline) AS nearest FROM "{Obligation._meta.db_table}" o '
                f"WHERE o.applicability IN ('required', 'needs_decision') AND o.status NOT IN ('sent', 'not_notified') "
                f'GROUP BY o.incident_id) d WHERE d.incident_id = i.id AND i.next_deadline IS DISTINCT FROM d.nearest'
            )
            return cursor.rowcount
    timed("incidents' stored nearest deadline", next_deadlines)

    field_values = {"code": "'bench-field-' || g", "category": "'identifier'"}
    for name_field in ("name_zh", "name_en", "name"):
        try:
            DataField._meta.get_field(name_field)
        except Exception:
            continue
        field_values[DataField._meta.get_field(name_field).column] = "'字段 ' || g" if name_field == "name_zh" else "'field ' || g"
    timed(f"inventory data fields ({args.fields:,})", lambda: insert_series(DataField, args.fields, field_values))

    # As autovacuum would have done on a live database: statistics and the visibility map
    # (index-only scans need it).
    def vacuum():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # returns the cursor, not a row count: report none

    timed("VACUUM ANALYZE", vacuum)
    print("done")


if __name__ == "__main__":
    main()

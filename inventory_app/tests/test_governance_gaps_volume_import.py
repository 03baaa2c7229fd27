"""Cross-border volumes imported from a file: matched on handler + destination + recipient + period
start, checked with the per-period rule in the importer's language, all rows or none, with history."""

from datetime import date

import pytest
import tablib
from django.utils import translation

from inventory_app import crossborder
from inventory_app.models import Controller, TransferVolume
from inventory_app.resources import TransferVolumeResource, invalid_row_messages, resource_for

pytestmark = pytest.mark.django_db
HEADERS = ("controller", "destination_country", "recipient", "period_start", "period_end", "people",
           "sensitive_people", "necessity", "note")


def dataset(*rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data


def run(data, by, *, dry_run=False):
    return TransferVolumeResource().import_data(data, dry_run=dry_run, user=by, file_name="volumes-2026.csv")


GOOD = (
    ("lumi-united", "de", "", "2026-01-01", "2026-03-31", "40000", "0", "", "Q1"),
    ("lumi-united", "DE", "", "2026-04-01", "2026-06-30", "70000", "5000", "", "Q2"),
)


def test_a_dry_run_shows_each_refused_row_in_the_users_language_and_writes_nothing(seeded, staff_user):
    bad = dataset(
        GOOD[0],
        # Spans two years (Tue 2026-12-01 – Fri 2027-01-29): the count restarts on 1 January (令16).
        ("lumi-united", "DE", "", "2026-12-01", "2027-01-29", "100", "0", "", ""),
        # 500 with sensitive PI but 400 in all: they are counted in the total too.
        ("lumi-united", "SG", "", "2026-05-01", "2026-05-31", "400", "500", "", ""),
    )
    with translation.override("en"):
        result = run(bad, staff_user, dry_run=True)
        messages = [(n, m) for n, _, m in invalid_row_messages(result)]
    assert result.has_validation_errors()
    # Rows as the spreadsheet numbers them: the heading is row 1, so the second data row is row 3.
    assert (3, "A period lies within one calendar year: the count starts again on 1 January.") in messages
    assert any(n == 4 and "cannot be smaller" in m for n, m in messages)
    assert TransferVolume.objects.count() == 0
    with translation.override("zh-hans"):
        result = run(bad, staff_user, dry_run=True)
        zh = [m for _, _, m in invalid_row_messages(result)]
    assert "一个期间须在同一自然年内：人数自每年1月1日起重新累计。" in zh
    # Not a dry run: still nothing written, the good first row included (all or nothing).
    with translation.override("en"):
        result = run(bad, staff_user)
    assert result.has_validation_errors() and TransferVolume.objects.count() == 0


def test_an_unknown_handler_is_refused(seeded, staff_user):
    result = run(dataset(("no-such-handler",) + GOOD[0][1:]), staff_user)
    assert result.has_validation_errors() or result.has_errors()
    assert TransferVolume.objects.count() == 0


def test_a_good_file_writes_every_row_with_history_and_a_second_run_updates(seeded, staff_user):
    result = run(dataset(*GOOD), staff_user)
    assert not result.has_errors() and not result.has_validation_errors()
    rows = list(TransferVolume.objects.order_by("period_start"))
    assert [(v.destination_country, v.people, v.sensitive_people) for v in rows] == [("DE", 40000, 0), ("DE", 70000, 5000)]
    for volume in rows:
        record = volume.history.get()
        assert record.history_user == staff_user and "volumes-2026.csv" in record.history_change_reason
    # The year so far as of Tue 2026-06-30: 40,000 + 70,000 = 110,000 people, 5,000 with sensitive PI.
    controller = Controller.objects.get(code="lumi-united")
    position = crossborder.handler_position(controller=controller, as_of=date(2026, 6, 30))
    assert (position.people, position.sensitive_people) == (110000, 5000)
    # The same file corrected: Q2 is 80,000. Matched on its natural key, so updated, not added.
    corrected = dataset(GOOD[0], GOOD[1][:5] + ("80000",) + GOOD[1][6:])
    result = run(corrected, staff_user)
    assert result.totals["update"] == 1 and result.totals["skip"] == 1
    assert TransferVolume.objects.count() == 2
    q2 = TransferVolume.objects.get(period_start=date(2026, 4, 1))
    assert q2.people == 80000 and q2.history.count() == 2


def test_the_background_import_knows_the_volume_resource():
    assert resource_for("inventory_app.transfervolume") is TransferVolumeResource

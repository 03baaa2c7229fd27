"""The demo's letters and opt-out case, built once per test session (the demo takes a while) in a
transaction that is rolled back: the tests read the texts and facts, never the rows."""

import io

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from conftest import MANAGER, STAFF, TEST_NOW, make_user


@pytest.fixture(scope="session")
def demo_texts(django_db_setup, django_db_blocker, tmp_path_factory):
    from inventory_app.demo import load_demo as load_inventory_demo
    from inventory_app.models import ProcessingActivity, Transfer
    from requests_app import letters
    from requests_app.demo import load_demo
    from requests_app.models import DraftKind, RightsRequest

    private = str(tmp_path_factory.mktemp("demo-private"))
    storages = {**settings.STORAGES,
                "default": {**settings.STORAGES["default"], "OPTIONS": {"location": private}},
                "private": {**settings.STORAGES["private"], "OPTIONS": {"location": private}}}
    texts = {}
    with django_db_blocker.unblock(), time_machine.travel(TEST_NOW, tick=False), \
            override_settings(LANGUAGE_CODE="en", PRIVATE_STORAGE_ROOT=private, STORAGES=storages):
        with transaction.atomic():
            staff = make_user("staff", STAFF)
            make_user("manager", MANAGER)
            load_inventory_demo(stdout=io.StringIO())
            load_demo(stdout=io.StringIO())

            def case(account_id):
                return RightsRequest.objects.get(account_id=account_id)

            for account_id in ("demo-cn-1", "demo-eu-1"):
                for language in ("zh-hans", "en"):
                    texts["access", account_id, language] = letters.draft_generate(
                        case=case(account_id), kind=DraftKind.ACCESS_RESPONSE, language=language, by=staff).body
            for language in ("zh-hans", "en"):
                texts["refusal", "demo-eu-3", language] = letters.draft_generate(
                    case=case("demo-eu-3"), kind=DraftKind.REFUSAL, language=language, by=staff).body
            opt_out = case("demo-ca-2")
            texts["opt-out"] = {
                "received_on": opt_out.received_on, "due_on": opt_out.due_on, "status": opt_out.status,
                "identity_checks": opt_out.identity_checks.count(),
                "identity_documents": opt_out.identity_documents.count(),
                "tasks": sorted(
                    (t.processor.code if t.processor_id else t.service.code, t.title, t.due_on, t.done)
                    for t in opt_out.tasks.select_related("processor", "service")),
            }
            # A Chinese entity's transfer recorded under the EU clauses, another under the PIPL contract.
            Transfer.objects.create(activity=ProcessingActivity.objects.get(code="cn-user-registration"),
                                    destination_country="SG", mechanism="scc")
            Transfer.objects.create(activity=ProcessingActivity.objects.get(code="cn-profile"),
                                    destination_country="SG", mechanism="pipl_contract")
            texts["access with transfers", "demo-cn-1", "zh-hans"] = letters.draft_generate(
                case=case("demo-cn-1"), kind=DraftKind.ACCESS_RESPONSE, language="zh-hans", by=staff).body
            transaction.set_rollback(True)
    return texts

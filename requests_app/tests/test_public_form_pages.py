"""The public form's pages: the browser's language, one language per page with a link to the
other, rate limits per e-mail address and per client address (HTTP 429), CSRF, and no inline
script (the site's Content-Security-Policy)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client

from requests_app import public_form
from requests_app.models import PublicSubmission, RightsRequest

from .test_public_form import CONFIRMED, SENT, eager_tasks, link_in, send_form  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_browsers_language_chooses_the_page():
    client = Client()
    assert client.get("/request/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")["Location"] == "/request/zh-hans/"
    assert client.get("/request/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")["Location"] == "/request/en/"
    assert client.get("/request/xx/").status_code == 404


def test_each_page_speaks_one_language_and_links_to_the_other():
    client = Client()
    # The page's address decides, whatever the browser prefers.
    chinese = client.get("/request/zh-hans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-Hans">' in chinese
    assert "个人信息权利请求" in chinese and "所在地区" in chinese and "提交请求" in chinese
    assert '<option value="EU">欧盟</option>' in chinese and '<option value="US-CA">加利福尼亚州</option>' in chinese
    assert '<a href="/request/en/" hreflang="en" lang="en" id="switch-en">English</a>' in chinese
    assert "Your name" not in chinese and "Send my request" not in chinese

    english = client.get("/request/en/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in english
    assert "Your privacy request" in english and "Where you live" in english
    assert '<option value="EU">European Union</option>' in english
    assert 'id="switch-zh-hans">简体中文</a>' in english
    # Outside the switch link, no Chinese (not even the term in a type's name, "account cancellation").
    assert not re.search(r"[\u4e00-\u9fff]", english.replace("简体中文", ""))


def test_request_types_offered_follow_the_place(eager_tasks):
    page = Client().get("/request/en/").content.decode()
    data = re.search(r'<script id="types-by-jurisdiction" type="application/json">(.*?)</script>', page, re.S)
    import json

    types = json.loads(data.group(1))
    assert "deceased_relative" in types["CN"] and "deceased_relative" not in types["EU"]
    assert types["US-CA"] == ["access", "correction", "deletion", "ccpa_opt_out", "ccpa_limit_sensitive"]
    assert types["SG"] == ["access", "correction", "withdraw_consent"]


def test_no_inline_script_and_a_content_security_policy():
    response = Client().get("/request/en/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts and all('src="/static/' in tag or 'type="application/json"' in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+=", response.content.decode())  # no onclick= and the like


def test_csrf_is_enforced():
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(SENT, tick=False):
        response = client.post("/request/en/", {"requester_name": "Anna", "requester_email": "anna@example.com"})
    assert response.status_code == 403
    assert PublicSubmission.objects.count() == 0


def test_too_many_submissions_for_one_address_get_429(eager_tasks, settings):
    settings.PUBLIC_FORM_MAX_PER_EMAIL = 2
    for minute in range(2):
        assert send_form(Client(), at=SENT + timedelta(minutes=minute), ip=f"198.51.100.{minute}").status_code == 302
    # The third, in the same hour, from another network and with the address in other capitals.
    response = send_form(Client(), at=SENT + timedelta(minutes=30), ip="198.51.100.99",
                         requester_email="ANNA@example.COM")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many requests were sent for this e-mail address in a short time" in page
    # The hour's window (fixed, on the hour of the Unix clock) ends at 03:00 UTC: 30 minutes left.
    assert "try again in 30 minutes" in page and response["Retry-After"] == "1800"
    assert PublicSubmission.objects.count() == 2 and len(mail.outbox) == 2
    # Another address is not affected; the same one is welcome again in the next window.
    assert send_form(Client(), at=SENT + timedelta(minutes=31), requester_email="max@example.com").status_code == 302
    assert send_form(Client(), at=SENT + timedelta(hours=1), ip="198.51.100.98").status_code == 302


def test_too_many_posts_from_one_client_get_429_in_chinese(eager_tasks, settings):
    settings.PUBLIC_FORM_MAX_PER_IP = 3
    client = Client()
    for number in range(3):
        # Invalid forms count too: the limit is on attempts, not on successes.
        response = send_form(client, "zh-hans", at=SENT + timedelta(minutes=number), requester_email=f"x{number}@")
        assert response.status_code == 400
    response = send_form(client, "zh-hans", at=SENT + timedelta(minutes=10))
    assert response.status_code == 429
    page = response.content.decode()
    assert "短时间内从您的网络提交的请求过多。请在 50 分钟后重试。" in page
    assert PublicSubmission.objects.count() == 0
    # Another client address is still served.
    assert send_form(Client(), at=SENT + timedelta(minutes=11), ip="203.0.113.200").status_code == 302


def test_the_cache_keys_hold_no_address():
    from django.core.cache import cache

    with time_machine.travel(SENT, tick=False):
        for _attempt in range(2):
            public_form.rate_limit_email("Anna@Example.com")
        key = public_form.rate_limit_key(scope="email", value="anna@example.com")
    # Counted in the configured cache (Redis in production) under a digest of the address.
    assert cache.get(key) == 2
    assert "anna" not in key and "example" not in key


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
def test_two_simultaneous_confirmations_create_one_case(eager_tasks):
    send_form(Client())
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    barrier = threading.Barrier(2)
    results = {}

    def run(key):
        try:
            barrier.wait(timeout=30)
            results[key] = public_form.submission_confirm(token=token, now=CONFIRMED).pk
        except Exception as exc:  # reported by the test, not lost in the thread
            results[key] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(key,)) for key in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert RightsRequest.objects.count() == 1
    assert results["a"] == results["b"] == RightsRequest.objects.get().pk

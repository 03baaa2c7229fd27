"""Every admin page carries a Content-Security-Policy that allows scripts from our static files only
(no inline script, no event-handler attributes) and a Permissions-Policy that turns device features
off; the pages themselves contain no inline script the policy would block."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/requests_app/rightsrequest/",
    "/admin/requests_app/rightsrequest/add/",  # date pickers
    "/admin/breach_app/incident/add/",  # inlines
    "/admin/inventory_app/processingactivity/add/",  # autocomplete (select2)
    "/admin/inventory_app/processingactivity/import/",
    "/admin/password_change/",
    "/admin/two-factor/",
]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", PAGES)
def test_admin_pages_carry_the_policies_and_no_inline_script(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 200, url
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in features
    html = response.content.decode()
    # What the policy would block (and a browser would report as an error): script elements with
    # a body, and event-handler attributes.
    for script in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S):
        attributes, body = script
        assert "src=" in attributes or 'type="application/json"' in attributes or not body.strip(), (url, script)
    assert not re.findall(r"<[^>]+\son[a-z]+\s*=", html), url
    assert "javascript:" not in html, url


def test_the_sign_in_page_carries_the_policies():
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]

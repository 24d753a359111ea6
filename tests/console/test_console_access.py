"""Access rules, walked over the app's whole router: sign-in required, admin routes, CSRF."""
from __future__ import annotations

import pytest

from bot.console.access import ACCESS_ATTRIBUTE, Access
from bot.console.middleware import CSRF_FAILURE
from tests.console.harness import route_paths

PUBLIC_PATHS = {"/sign-in", "/health"}
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# Routes that must stay admin-only whatever else is added.
KNOWN_ADMIN_PATHS = {"/audit", "/intakes/1/reveal"}


def all_routes(console):
    return route_paths(console.app, ("GET", "HEAD") + STATE_CHANGING)


def admin_routes(console):
    return [(m, p) for m, p, handler in all_routes(console) if getattr(handler, ACCESS_ATTRIBUTE, None) is Access.ADMIN]


def test_every_route_but_sign_in_health_and_static_needs_a_session(console):
    client = console.browser()
    checked = 0
    for method, path, _handler in all_routes(console):
        if path in PUBLIC_PATHS or path.startswith("/static"):
            continue
        response = client.request(method, path)
        checked += 1
        if method in ("GET", "HEAD"):
            assert response.status_code == 303, (method, path)
            assert response.headers["Location"].startswith("/sign-in?next="), (method, path)
        else:
            assert response.status_code == 401, (method, path)
    assert checked >= 8


def test_sign_in_health_and_static_files_are_public(console):
    client = console.browser()
    assert client.get("/sign-in").status_code == 200
    assert client.get("/health").status_code == 200
    assert client.get("/static/console.css").status_code == 200
    assert client.get("/no-such-page").status_code == 303  # unknown paths don't reveal anything either


def test_the_admin_routes_include_reveal_and_the_audit_log(console):
    assert KNOWN_ADMIN_PATHS <= {path for _method, path in admin_routes(console)}


def test_a_reviewer_gets_403_on_every_admin_route(console, reviewer):
    for method, path in admin_routes(console):
        response = reviewer.request(method, path, data={"csrf_token": reviewer.csrf_token})
        assert response.status_code == 403, (method, path)


def test_an_admin_reaches_the_admin_pages(console, admin):
    assert admin.get("/audit").status_code == 200


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(console, admin):
    routes = [(m, p) for m, p, _h in all_routes(console) if m in STATE_CHANGING]
    assert ("POST", "/sign-in") in routes and ("POST", "/sign-out") in routes
    for method, path in routes:
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": admin.csrf_token + "x"}):
            response = admin.request(method, path, data=data)
            assert response.status_code == 403, (method, path, data)
            assert CSRF_FAILURE in response.text
    assert admin.get("/").status_code == 200  # still signed in: sign-out was refused too


def test_the_csrf_token_of_one_session_does_not_work_for_another(console, admin, reviewer):
    response = reviewer.post("/sign-out", data={"csrf_token": admin.csrf_token})
    assert response.status_code == 403


def test_the_sign_in_form_needs_its_own_csrf_cookie_token(console):
    client = console.browser()
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": "admin@example.org", "password": "x"})
    assert response.status_code == 403


def test_pages_carry_a_strict_content_security_policy_and_are_not_cached(console, admin):
    response = admin.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("method", STATE_CHANGING)
def test_a_state_changing_request_with_a_valid_token_gets_past_the_csrf_check(console, admin, method):
    # The same requests as above, now with the right token: whatever the answer, it is not the CSRF refusal.
    response = admin.request(method, "/intakes/999999/notes", data={"csrf_token": admin.csrf_token, "body": "x"})
    assert CSRF_FAILURE not in response.text
    assert response.status_code == (404 if method == "POST" else 405)

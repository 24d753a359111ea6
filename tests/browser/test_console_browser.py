"""The staff console in Debian's Chromium: sign in, filter, open a crisis, reveal, change status, audit."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from rasa.shared.core.events import BotUttered, UserUttered

from bot.database import Database
from bot.intake import IntakeSummary, flag_crisis, save_intake
from bot.redaction import redact
from tests.console.harness import PASSWORD, save_conversation, start_console

ADMIN = "admin@example.org"
CONSENT = {"given": True, "at": "2024-03-01T10:00:00Z", "version": "v1"}


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """A console with one admin account."""
    running = start_console(Database(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'intake.db'}"))
    running.add_staff(ADMIN, "admin")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def crisis(console) -> int:
    """One ordinary intake and one crisis-flagged conversation; the crisis intake's number."""
    sessions = console.database.sessions
    save_intake(sessions, IntakeSummary(sender_id="calm-sender", channel="rest", concerns=("gambling",), consent=CONSENT))
    save_conversation(console.database, "crisis-sender", [
        UserUttered("I can't go on. Please call me, I'm Alex on alex.r@example.com", intent={"name": "express_crisis"}),
        BotUttered("I'm really glad you told me. If you are in danger now, call 999."),
    ])
    redact("warm up")  # builds the shared redactor (spaCy) now, not during the first page load
    return flag_crisis(sessions, "crisis-sender", "rest")


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG violations on the page."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def open_page(browser, javascript: bool) -> Page:
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.set_default_timeout(30_000)
    return page


@pytest.fixture
def page(chromium_browser) -> Page:
    """A tab with JavaScript off: the console must work without it."""
    page = open_page(chromium_browser, javascript=False)
    yield page
    page.context.close()


@pytest.fixture
def scripted_page(chromium_browser) -> Page:
    """A tab with JavaScript on, which axe-core needs to run."""
    page = open_page(chromium_browser, javascript=True)
    yield page
    page.context.close()


def sign_in(page: Page, url: str) -> None:
    page.goto(url + "/sign-in")
    page.get_by_label("E-mail address").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def test_an_admin_reviews_a_crisis_from_sign_in_to_the_audit_log(console, crisis, page):
    page.goto(console.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    sign_in(page, console.url)
    expect(page.get_by_role("alert").filter(has_text="crisis-flagged intake not closed")).to_be_visible()

    page.get_by_label("Crisis flag").select_option("yes")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"crisis=yes"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_class("crisis")

    page.get_by_role("link", name=f"#{crisis}").click()
    expect(page.get_by_role("heading", name=f"Intake #{crisis}")).to_be_visible()
    expect(page.get_by_text("Crisis flagged: this person may need urgent help.")).to_be_visible()
    transcript = page.locator(".transcript")
    expect(transcript).to_contain_text("[email]")
    expect(transcript).not_to_contain_text("alex.r@example.com")

    page.get_by_role("link", name="Reveal personal data").click()
    expect(page).to_have_url(re.compile(rf"/intakes/{crisis}/reveal$"))
    expect(page.locator(".transcript")).to_contain_text("alex.r@example.com")

    page.get_by_label("Change to").select_option("in_review")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status").filter(has_text="The status was changed.")).to_be_visible()
    expect(page.locator("#status-heading + p")).to_have_text("Now: in review")
    expect(page.locator(".transcript")).not_to_contain_text("alex.r@example.com")  # back to the masked view

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    log = page.locator("tbody")
    expect(log.locator("tr", has_text="status change")).to_contain_text(f"intake:{crisis} new->in_review")
    expect(log.locator("tr", has_text="reveal")).to_contain_text(f"intake:{crisis}")
    expect(log.locator("tr", has_text="reveal")).to_contain_text(ADMIN)


def test_focus_is_visible_and_fields_are_labelled_on_the_sign_in_page(console, page):
    page.goto(console.url + "/sign-in")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    email = page.get_by_label("E-mail address")
    expect(email).to_be_focused()
    outline = email.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"


def test_the_console_pages_have_no_axe_violations(console, crisis, scripted_page):
    page = scripted_page
    page.goto(console.url + "/sign-in")
    assert_accessible(page)
    sign_in(page, console.url)
    for path in ("/", "/?crisis=maybe", f"/intakes/{crisis}", f"/intakes/{crisis}/reveal", "/audit", "/intakes/999999"):
        page.goto(console.url + path)
        assert_accessible(page)

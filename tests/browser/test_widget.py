"""The web widget in Chromium against the real web, Rasa and action servers."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from bot.catalog.seed import seed_if_empty
from bot.database import open_database
from bot.settings import PROJECT_ROOT
from tests.integration.servers import RunningServers, get_status, start_servers

pytestmark = pytest.mark.integration

REPLY_TIMEOUT_MS = 60_000
WEB_START_TIMEOUT_SECONDS = 30
SERIOUS = ("serious", "critical")


@dataclass
class Site:
    """The demo page's address and the servers behind it."""

    url: str
    servers: RunningServers

    @property
    def database_path(self) -> str:
        return self.servers.settings.database_url.removeprefix("sqlite:///")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """Action server, Rasa server and web server on free ports, started once for the module."""
    workdir = tmp_path_factory.mktemp("widget")
    database_url = f"sqlite:///{workdir / 'intake.db'}"
    seed_if_empty(open_database(database_url).sessions)
    servers = start_servers(workdir, database_url)
    port = servers.settings.web_port
    web = subprocess.Popen(
        [sys.executable, "-m", "bot.web", "--port", str(port)], cwd=PROJECT_ROOT,
        env={**os.environ, "RASA_PORT": str(servers.settings.rasa_port)},
        stdout=(workdir / "web.log").open("w"), stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + WEB_START_TIMEOUT_SECONDS
        while get_status(f"http://127.0.0.1:{port}/health") != 200:
            assert web.poll() is None and time.monotonic() < deadline, (workdir / "web.log").read_text()
            time.sleep(0.2)
        # localhost, not 127.0.0.1: both origins must pass Rasa's CORS check.
        yield Site(f"http://localhost:{port}/", servers)
    finally:
        web.terminate()
        web.wait(timeout=10)
        servers.stop()


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh visitor (own sessionStorage); fails the test on any script error or CSP
    violation, and on any request that leaves this machine (no CDN, no tracker)."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: List[str] = []
    hosts = set()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    yield page
    context.close()
    assert errors == []
    assert hosts == {"localhost"}


def conversation(page: Page) -> Locator:
    return page.get_by_role("log", name="Conversation")


def expect_reply(page: Page, text: str) -> None:
    expect(conversation(page)).to_contain_text(text, timeout=REPLY_TIMEOUT_MS)


def reply_button(page: Page, title: str) -> Locator:
    return page.get_by_role("group", name="Suggested replies").get_by_role("button", name=title, exact=True)


def type_message(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def wait_for_answer(page: Page) -> None:
    """The typing indicator goes once the assistant has finished answering."""
    expect(page.locator(".typing")).to_be_hidden(timeout=REPLY_TIMEOUT_MS)


def open_chat(page: Page, site: Site, query: str = "") -> None:
    policy = page.goto(site.url + query).headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    page.get_by_role("button", name="Chat with us").click()
    expect_reply(page, "save a short summary")
    wait_for_answer(page)


def test_a_visitor_goes_from_hello_to_group_suggestions(page, site):
    open_chat(page, site)
    reply_button(page, "No, don't save it").click()
    expect_reply(page, "What's brought you here today?")

    type_message(page, "I've been drinking way too much lately")
    expect(page.locator(".typing")).to_be_visible()
    expect_reply(page, "Looking at your drinking takes courage")
    expect_reply(page, "Would you prefer to meet in person or online?")
    reply_button(page, "In person").click()
    expect_reply(page, "Which town, city or postcode")

    # Shown as text, never as markup: neither the visitor's words nor the bot's echo of them.
    markup = "<b onmouseover=window.injected=1>Quarzville</b>"
    type_message(page, markup)
    expect_reply(page, f'I couldn\'t find "{markup}"')
    assert conversation(page).locator("b").count() == 0
    assert page.evaluate("window.injected") is None

    for question, answer in [
        ("Which days suit you best?", "Weekends"),
        ("What time of day works for you?", "Any time"),
        ("Do you have a preference?", "No preference"),
        ("Which language would you like", "English"),
        ("Do you have any access needs", "Captions"),
        ("start by just listening?", "Yes, just listen at first"),
    ]:
        expect_reply(page, question)
        wait_for_answer(page)
        reply_button(page, answer).click()
    expect_reply(page, "Here are some groups that could suit you:")
    wait_for_answer(page)
    groups = conversation(page).locator(".message.bot").filter(has_text=re.compile(r"^Assistant: \d\. "))
    assert groups.count() >= 1
    expect(reply_button(page, "Pick number 1")).to_be_visible()
    expect(reply_button(page, "Yes, please get in touch")).to_be_visible()


def test_a_reload_keeps_the_conversation_and_start_over_clears_it(page, site):
    open_chat(page, site)
    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('intake-widget')).sessionId")
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    messages = conversation(page).locator(".message")
    before = messages.all_text_contents()

    page.reload()
    expect(messages).to_have_text(before)
    reply_button(page, "Yes, that's OK").click()
    # Only the same conversation on the server knows what "yes" answers.
    expect_reply(page, "Thank you. You can ask me to delete it at any time.")
    wait_for_answer(page)

    page.get_by_role("button", name="Start over").click()
    expect(conversation(page)).not_to_contain_text("Thank you. You can ask me")
    expect_reply(page, "OK, let's start again from the beginning.")


def test_the_whole_chat_works_from_the_keyboard(page, site):
    page.goto(site.url + "?country=GB")
    focus_on(page, "Chat with us")
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
    expect_reply(page, "save a short summary")
    wait_for_answer(page)

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(reply_button(page, "Yes, that's OK")).to_be_focused()
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    expect_reply(page, "Thank you. You can ask me to delete it at any time.")
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
    page.keyboard.type("I feel anxious all the time")
    page.keyboard.press("Enter")
    expect_reply(page, "Anxiety can make reaching out hard")
    wait_for_answer(page)

    focus_on(page, "Need urgent help?")
    page.keyboard.press("Enter")
    expect(page.locator("#intake-urgent")).to_contain_text("Samaritans: call 116 123")
    expect(page.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")

    focus_on(page, "Delete my conversation")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Yes, delete it")).to_be_focused()
    page.keyboard.press("Enter")
    expect_reply(page, "I've erased this conversation")
    expect(conversation(page)).not_to_contain_text("anxious")
    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('intake-widget')).sessionId")
    assert_no_user_events_stored(site, session_id)

    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()


def test_no_serious_accessibility_problems_on_a_phone(chromium_browser, site):
    context = chromium_browser.new_context(viewport={"width": 360, "height": 740}, reduced_motion="reduce")
    page = context.new_page()
    try:
        open_chat(page, site, "?locale=en-AU")
        page.get_by_role("button", name="Need urgent help?").click()
        expect(page.locator("#intake-urgent")).to_contain_text("Lifeline: call 13 11 14")
        type_message(page, "I'd be too embarrassed to walk in")
        # Computed style holds whether or not the indicator is still showing: a fast answer may have hidden it.
        assert page.locator(".typing .dot").first.evaluate("d => getComputedStyle(d).animationName") == "none"
        wait_for_answer(page)

        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        panel = page.locator("#intake-panel").bounding_box()
        assert fits and panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
        results = Axe().run(page)
        serious = [(v["id"], [node["target"] for node in v["nodes"]])
                   for v in results.response["violations"] if v["impact"] in SERIOUS]
        assert serious == []
    finally:
        context.close()


def test_the_visitors_country_reaches_the_assistants_crisis_reply(page, site):
    open_chat(page, site, "?locale=en-GB")
    type_message(page, "I want to end my life")
    expect_reply(page, "call Samaritans on 116 123")


# The focused element, looking inside shadow roots (the widget lives in one).
FOCUSED = "(() => { let e = document.activeElement; while (e?.shadowRoot?.activeElement)" \
          " e = e.shadowRoot.activeElement; return e; })()"


def focus_on(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the element reading `name` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"{FOCUSED}?.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def assert_focus_is_visible(page: Page) -> None:
    style, width = page.evaluate(f"(s => [s.outlineStyle, parseFloat(s.outlineWidth)])(getComputedStyle({FOCUSED}))")
    assert style != "none" and width >= 2


def assert_no_user_events_stored(site: Site, session_id: str) -> None:
    """delete_data reached the assistant: the conversation's events are gone from the tracker store."""
    deadline = time.monotonic() + REPLY_TIMEOUT_MS / 1000
    while True:
        with sqlite3.connect(site.database_path) as connection:
            left = connection.execute(
                "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (session_id,),
            ).fetchone()[0]
        if left == 0:
            return
        assert time.monotonic() < deadline, f"{left} user events of the deleted conversation are still stored"
        time.sleep(0.2)

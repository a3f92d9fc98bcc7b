"""The CAPTCHA, on a server that asks for it on every form (LIMEN_CAPTCHA_AFTER=0)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .flows import heading, new_address

pytestmark = pytest.mark.e2e

QUESTION = re.compile(r"What is \d+ plus \d+\?")


@pytest.fixture(scope="session")
def captcha_server(make_server):
    return make_server("captcha", LIMEN_CAPTCHA_AFTER="0")


@pytest.fixture
def captcha_site(site, captcha_server):
    site.url = captcha_server.url
    return site


def answer_question(page) -> None:
    a, b = map(int, re.search(r"What is (\d+) plus (\d+)", page.locator(".captcha label").inner_text()).groups())
    page.get_by_label(QUESTION).fill(str(a + b))


def test_lost_password_with_the_text_question_instead_of_the_image(captcha_site):
    site, page = captcha_site, captcha_site.page
    email = new_address("robot-or-not")
    site.goto("/password/lost/")
    expect(page.get_by_role("group", name="Check that you are a person")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Distorted characters"))).to_be_visible()
    site.check("lost password with CAPTCHA image")

    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Answer a text question instead").click()
    expect(page.get_by_label(QUESTION)).to_be_visible()
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(email)  # nothing typed is lost
    site.check("lost password with CAPTCHA question")

    answer_question(page)
    page.get_by_role("button", name="Send me a link").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()


def test_a_wrong_answer_gets_a_new_question_that_can_be_answered(captcha_site):
    site, page = captcha_site, captcha_site.page
    site.goto("/password/lost/")
    page.get_by_label("E-mail", exact=True).fill(new_address("typo"))
    page.get_by_role("button", name="Answer a text question instead").click()

    page.get_by_label(QUESTION).fill("1000")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("alert")).to_contain_text("The check did not match.")
    site.check("lost password, CAPTCHA answer wrong")

    answer_question(page)
    page.get_by_role("button", name="Send me a link").click()
    expect(heading(page, "Check your e-mail")).to_be_visible(timeout=3000)

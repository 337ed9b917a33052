"""axe-core (WCAG 2.1 A and AA, required of Colombian public sites by MinTIC Resolución 1519 de
2020) on the pages anyone reaches first, and on the error pages."""

import pytest

from tests.e2e.conftest import assert_accessible, axe_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/cuentas/login/", "/cuentas/registro/", "/no-existe/"])
def test_public_pages_have_no_axe_violations(page, live_server, path):
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_the_check_finds_a_violation(page, live_server):
    """The check itself can fail: an image without a text alternative is reported."""
    page.goto(live_server.url + "/cuentas/login/")
    page.evaluate("document.querySelector('main').appendChild(document.createElement('img'))")
    assert [v["rule"] for v in axe_violations(page)] == ["image-alt"]


def test_landing_page_has_no_axe_violations(page, live_server, user):
    log_in(page, live_server, user)
    page.goto(live_server.url + "/entidades/")
    assert_accessible(page)

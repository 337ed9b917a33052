import re

from django.core import mail

LINK_RE = re.compile(r"http://testserver(/cuentas/confirm-email/\w+/)")


def last_confirmation_path() -> str:
    match = LINK_RE.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def register(client, sent, **overrides):
    from tests.accounts.test_signup import form_data

    response = sent(client.post, "/cuentas/signup/", form_data(**overrides))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return last_confirmation_path()

"""The client's address behind a TLS proxy (hardening issue, item 2): the per-IP limits, the access
history and the login policy count the client, not the proxy, and a direct client cannot choose
its address with a forged X-Forwarded-For."""

import pytest
from django.test import Client, RequestFactory

from registro.accounts.models import AccessEvent
from registro.core.network import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/cuentas/login/"
PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.TRUSTED_CLIENT_IP_HEADER = ""
    return settings


def login(client, username, password, **extra):
    return client.post(LOGIN, {"login": username, "password": password}, **extra)


def _request(remote, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_CLIENT_IP_HEADER = ""
    assert client_ip(_request("127.0.0.1", x_forwarded_for="198.51.100.7")) == "127.0.0.1"


@pytest.mark.parametrize(
    ("remote", "xff", "expected"),
    [
        (PROXY, "198.51.100.7", "198.51.100.7"),
        # The proxy appends what it saw; what the client put before it is not believed.
        (PROXY, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # From anyone but the proxy, the header is the client's own invention.
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
        (PROXY, "", PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip_behind_one_proxy(behind_proxy, remote, xff, expected):
    headers = {"x_forwarded_for": xff} if xff else {}
    assert client_ip(_request(remote, **headers)) == expected


def test_fewer_entries_than_proxies_is_not_an_error(behind_proxy):
    behind_proxy.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(PROXY, x_forwarded_for="198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(PROXY, x_forwarded_for="6.6.6.6, 198.51.100.7")) == "6.6.6.6"


def test_a_header_of_the_proxys_own(behind_proxy):
    behind_proxy.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(_request(PROXY, x_real_ip="198.51.100.8", x_forwarded_for="6.6.6.6")) == "198.51.100.8"
    assert client_ip(_request("203.0.113.9", x_real_ip="198.51.100.8")) == "203.0.113.9"


def test_failures_behind_the_proxy_do_not_lock_everyone_out(behind_proxy):
    """The issue's scenario: ten accounts fail ten logins each, from ten different addresses,
    all through the proxy; anyone else still gets in."""
    proxy = Client(REMOTE_ADDR=PROXY)
    for account in UserFactory.create_batch(10):
        for n in range(10):
            response = login(proxy, account.username, "Equivocada#1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}")
            assert response.status_code == 200
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.LOGIN_FAILED, ip="198.51.100.1").exists()
    someone = UserFactory()
    response = login(proxy, someone.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 302
    event = AccessEvent.objects.get(user=someone, kind=AccessEvent.Kind.LOGIN)
    assert event.ip == "198.51.100.200"


def test_the_per_ip_limit_counts_the_real_client(behind_proxy):
    proxy = Client(REMOTE_ADDR=PROXY)
    users = UserFactory.create_batch(11)
    for u in users[:10]:
        login(proxy, u.username, "Equivocada#1", HTTP_X_FORWARDED_FOR="198.51.100.50")
    blocked = login(proxy, users[10].username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.50")
    assert blocked.status_code == 200 and "_auth_user_id" not in proxy.session
    assert login(proxy, users[10].username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.51").status_code == 302


def test_a_direct_clients_forged_header_is_ignored(behind_proxy):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    users = UserFactory.create_batch(11)
    for n, u in enumerate(users[:10]):
        # A new made-up address each time would be a fresh budget if it were believed.
        login(attacker, u.username, "Equivocada#1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}")
    assert set(AccessEvent.objects.filter(kind=AccessEvent.Kind.LOGIN_FAILED).values_list("ip", flat=True)) == {
        "203.0.113.9"
    }
    blocked = login(attacker, users[10].username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert blocked.status_code == 200 and "_auth_user_id" not in attacker.session


def test_the_api_login_counts_the_real_client_too(behind_proxy):
    proxy = Client(REMOTE_ADDR=PROXY)
    users = UserFactory.create_batch(11)
    url = "/api/v1/auth/app/v1/auth/login"
    for u in users[:10]:
        proxy.post(
            url,
            {"username": u.username, "password": "Equivocada#1"},
            content_type="application/json",
            headers={"X-Forwarded-For": "198.51.100.60"},
        )
    response = proxy.post(
        url,
        {"username": users[10].username, "password": PASSWORD},
        content_type="application/json",
        headers={"X-Forwarded-For": "198.51.100.61"},
    )
    assert response.status_code == 200

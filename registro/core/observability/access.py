"""Who may read the operators' endpoints (the detailed health report, the metrics): a bearer token
or a trusted client address, the address as `registro.core.network.client_ip` sees it (behind a
proxy, the client's, not the proxy's)."""

import hmac
import ipaddress

from django.http import HttpRequest

from registro.core.network import client_ip


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_matches(request: HttpRequest, token: str) -> bool:
    given = _bearer(request)
    return bool(token and given) and hmac.compare_digest(given.encode(), token.encode())


def address_trusted(request: HttpRequest, cidrs: list[str]) -> bool:
    if not cidrs:
        return False
    address = client_ip(request)
    if address is None:
        return False
    parsed = ipaddress.ip_address(address)
    return any(parsed in ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def allowed(request: HttpRequest, *, token: str, trusted: list[str]) -> bool:
    return token_matches(request, token) or address_trusted(request, trusted)

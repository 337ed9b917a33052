"""The client's address as every rate limit, the access history and the login policy see it.

Behind a reverse proxy REMOTE_ADDR is the proxy's address, so every client would share one
per-IP budget. The proxy's X-Forwarded-For (or a header of its own, `TRUSTED_CLIENT_IP_HEADER`)
names the client, but anyone can send those headers: they are believed only when the request
comes from one of `TRUSTED_PROXIES`, and only the entry that the last `TRUSTED_PROXY_COUNT`
proxies added is read (entries further left are whatever the client sent)."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...] | None:
    """None means "any address" (`*`)."""
    if "*" in cidrs:
        return None
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _valid_ip(address)
    if ip is None:
        return False
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if networks is None:
        return True
    parsed = ipaddress.ip_address(ip)
    return any(parsed in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: the proxy's word for it when the request comes from a trusted
    proxy, REMOTE_ADDR otherwise. Never raises; an unreadable header falls back to REMOTE_ADDR."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    count = settings.TRUSTED_PROXY_COUNT
    header = settings.TRUSTED_CLIENT_IP_HEADER
    if not (count or header) or not is_trusted_proxy(remote):
        return remote
    if header:
        return _valid_ip(request.headers.get(header)) or remote
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    if not hops:
        return remote
    # Each proxy appends the address it received the request from; with fewer entries than
    # proxies (a request that entered past the outer ones), the first entry is the earliest known.
    return _valid_ip(hops[-count] if len(hops) >= count else hops[0]) or remote

"""The SSRF guard: where a webhook may be sent.

Only http(s) URLs, and only to hosts whose every address is public: loopback, private
(10/8, 172.16/12, 192.168/16, IPv6 ULA), link-local (169.254/16 with the cloud metadata
service at 169.254.169.254, fe80::/10), shared (100.64/10), multicast, unspecified and
reserved addresses are refused, also when written as IPv4-mapped IPv6, unless the
setting `CIRCOLO_WEBHOOKS_ALLOW_PRIVATE` is on. Checked when an endpoint is registered
and again before each delivery; the delivery then connects to the very address that was
checked (`integrations.transport`), so a DNS answer that changes between the check and
the connection (DNS rebinding) cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The URL may not receive webhooks; the message says why, for a person."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (for the Host header and TLS)
    port: int
    path: str  # path and query string
    address: IPAddress  # the checked address to connect to


def _allow_private() -> bool:
    return bool(getattr(settings, "CIRCOLO_WEBHOOKS_ALLOW_PRIVATE", False))


# Cloud metadata services hand out credentials: refused even when private targets are
# allowed (the setting is for a receiver on this machine or an intranet, never these).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> Target:
    """The URL's target, resolved and checked; raises UnsafeTarget."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(_("This is not a valid URL.")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(_("Only http and https URLs can receive webhooks."))
    host = parts.hostname
    if not host:
        raise UnsafeTarget(_("The URL has no host."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("The URL must not contain a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeTarget(_("The host name does not resolve.")) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(info[4][0].split("%", 1)[0]))
        except ValueError:
            continue
    if not addresses:
        raise UnsafeTarget(_("The host name does not resolve."))
    if any(_unmapped(a) in METADATA for a in addresses):
        raise UnsafeTarget(
            _("Webhooks cannot be sent to private, loopback, link-local or metadata addresses.")
        )
    if not _allow_private() and not all(is_public(a) for a in addresses):
        raise UnsafeTarget(
            _("Webhooks cannot be sent to private, loopback, link-local or metadata addresses.")
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])

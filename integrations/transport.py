"""Sending one webhook request: to the address the SSRF guard checked, with a 10 s
timeout, never following a redirect (a 3xx is a failed attempt like any non-2xx)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import urllib3

from integrations.ssrf import Target

TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 2048  # read (and drop) this much of the receiver's reply


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the response's status code, None when no response came
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    address = str(target.address)
    if isinstance(target.address, ipaddress.IPv6Address):
        address = f"[{address}]"
    options = {"timeout": urllib3.Timeout(total=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        # Connect to the checked address, but verify the certificate for the host name.
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    return urllib3.HTTPConnectionPool(address, target.port, **options)


def post(
    target: Target, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT_SECONDS
) -> Outcome:
    default_port = 443 if target.scheme == "https" else 80
    host = target.host if ":" not in target.host else f"[{target.host}]"
    host_header = host if target.port == default_port else f"{host}:{target.port}"
    pool = _pool(target, timeout)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response.read(MAX_RESPONSE_BYTES)
        finally:
            response.release_conn()
        return Outcome(status=response.status)
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(status=None, error=f"{type(exc).__name__}: {exc}"[:300])
    except OSError as exc:
        return Outcome(status=None, error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        pool.close()

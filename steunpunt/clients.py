"""Who is asking, as far as limits need to know: the client's address, and a key for it.

Behind a reverse proxy every request comes from the proxy; its `X-Forwarded-For` header names
the real client, but anyone can send that header. So it is believed only when the request
comes from an address in settings.TRUSTED_PROXIES, and then only the part the proxy added.
Limits (messages, code checks, tickets) count per `client_key`: a keyed hash of the address
(of an IPv6 address's /64), so no IP address is stored anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from typing import Mapping, Optional

from steunpunt import settings

#: Message metadata key under which the channels pass `client_key` to the actions.
METADATA_KEY = "client"
#: The client when its address is not known (all such clients share one count).
UNKNOWN = "onbekend"


def _valid(address: str) -> Optional[str]:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(peer: Optional[str], forwarded_for: Optional[str]) -> str:
    """The client's address: the peer, or (from a trusted proxy) the nearest untrusted hop."""
    address = _valid(peer or "") or UNKNOWN
    if address not in settings.TRUSTED_PROXIES or not forwarded_for:
        return address
    for raw_hop in reversed(forwarded_for.split(",")):
        hop = _valid(raw_hop)
        if hop is None:
            break
        if hop not in settings.TRUSTED_PROXIES:
            return hop
    return address


def client_key(address: str) -> str:
    """A stable pseudonym for a client (HMAC with the deployment's secret), for counting: one
    per IPv4 address, one per IPv6 /64 (see `limited_network`)."""
    digest = hmac.new(settings.secret_key(), b"client:" + limited_network(address).encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def limited_network(address: str) -> str:
    """What limits count as one client: an IPv4 address as it is, an IPv6 address as its /64.
    One home or phone gets a whole /64 and picks new addresses in it at will, so counting
    single IPv6 addresses would let anyone start every limit afresh. An IPv4 address written
    as IPv6 (::ffff:1.2.3.4) is that IPv4 address; anything else (`onbekend`) stays as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_from_metadata(metadata) -> str:
    """The client key a channel put in a message's metadata ("onbekend" when there is none)."""
    value = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if isinstance(value, str) and len(value) == 24 and all(c in "0123456789abcdef" for c in value):
        return value
    return UNKNOWN


#: Headers with which a reverse proxy names the client it forwards.
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
_warned = False  # one warning per process is enough, and a flood of them would hide others


def warn_untrusted_forwarding(peer: Optional[str], headers: Mapping[str, str]) -> bool:
    """Say loudly (once per process) that a request names its client in a forwarding header
    while its peer is not in STEUNPUNT_TRUSTED_PROXIES. Behind such a proxy every client has
    the proxy's address: 20 failed staff logins lock out every colleague and the ticket limits
    count everyone together. Call it for every request; returns whether it warned now."""
    global _warned
    if _warned or not any(headers.get(name) or headers.get(name.title()) for name in FORWARDING_HEADERS):
        return False
    address = _valid(peer or "") or UNKNOWN
    if address in settings.TRUSTED_PROXIES:
        return False
    _warned = True
    # A proxy sits on a private or loopback address; a public one is a client that sent the
    # header itself, and a client's address never goes into a log.
    shown = address if address != UNKNOWN and _is_private(address) else "een publiek adres"
    logging.getLogger(__name__).warning(
        "Requests arrive with a forwarding header (X-Forwarded-For) from %s, which is not in "
        "STEUNPUNT_TRUSTED_PROXIES: every client behind that proxy counts as that one address, so "
        "failed logins and ticket limits of one person hold back everyone. Behind a reverse proxy, "
        "set STEUNPUNT_TRUSTED_PROXIES to its address. (Without a proxy, a client sent the header "
        "itself; it is ignored.)",
        shown,
    )
    return True


def _is_private(address: str) -> bool:
    parsed = ipaddress.ip_address(address)
    return parsed.is_private or parsed.is_loopback

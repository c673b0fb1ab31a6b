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
from typing import Optional

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
    for hop in reversed(forwarded_for.split(",")):
        hop = _valid(hop)
        if hop is None:
            break
        if hop not in settings.TRUSTED_PROXIES:
            return hop
    return address


def client_key(address: str) -> str:
    """A stable pseudonym for a client (HMAC with the deployment's secret), for counting: one
    per IPv4 address, one per IPv6 /64 (see `limited_network`)."""
    digest = hmac.new(settings.secret_key(), b"client:" + limited_network(address).encode(),
                      hashlib.sha256)
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

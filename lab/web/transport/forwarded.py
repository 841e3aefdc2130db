"""Who a request is from when a proxy on this machine forwards it: a tunnel, Codespaces' forwarding.

cloudflared, ngrok and Codespaces' port forwarding connect to the show from this machine
(127.0.0.1 or ::1) and say whom they carry in X-Forwarded-For, each appending the address
it saw to whatever the client sent. So the client's address is the right-most hop, never
the left-most: the left part is the client's own to write, and a laptop that wrote a new
address there on every request would get a fair share for each. Hops from this machine
are skipped (a local proxy in front of the tunnel appends 127.0.0.1). `Forwarded`
(RFC 7239) is read only when there is no X-Forwarded-For: the proxies above pass a
client's own `Forwarded` through untouched, so preferring it would let the client choose.

Only a peer on this machine is trusted to forward: a direct client's X-Forwarded-For is
never read. A right-most hop that is not a global address names no client
(`UNKNOWN_CLIENT`): Codespaces' forwarding (Dev Tunnels) puts an address of its own
network there, the same for many phones (microsoft/dev-tunnels#466, #507), and counting
them all as one would let one laptop fill every phone's share.
"""

import ipaddress

LOCAL_PEERS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})  # what `localhost` names: this machine
UNKNOWN_CLIENT = ""  # forwarded, but the proxy named nobody the show can tell apart


def is_local_peer(peer: str) -> bool:
    """Whether a connection from `peer` comes from this machine: the presenter's browser, or a proxy carrying anyone."""
    return peer in LOCAL_PEERS


def forwarded_client(x_forwarded_for: str | None, forwarded: str | None) -> str | None:
    """The address the proxy saw, `UNKNOWN_CLIENT` when it names none the show can use, None when nothing was forwarded.

    Both arguments are the header's values joined by commas, in the order received (as a
    WSGI environ holds them).
    """
    if x_forwarded_for is not None:
        hops = [hop.strip() for hop in x_forwarded_for.split(",")]
    elif forwarded is not None:
        hops = [for_parameter(element) for element in forwarded.split(",")]
    else:
        return None
    for hop in reversed(hops):
        address = normal_address(hop)
        if address is not None and is_local_peer(address):
            continue  # a proxy on this machine in front of the tunnel
        return address if address is not None and ipaddress.ip_address(address).is_global else UNKNOWN_CLIENT
    return UNKNOWN_CLIENT


def for_parameter(element: str) -> str:
    """The `for=` of one `Forwarded` element (`for=192.0.2.60;proto=https`, `for="[2001:db8::17]:4711"`), or ""."""
    for pair in element.split(";"):
        name, _, value = pair.strip().partition("=")
        if name.lower() == "for":
            return value.strip().strip('"')
    return ""


def normal_address(hop: str) -> str | None:
    """`hop` as an IP address in its usual spelling (brackets, a port, an IPv4-mapped form removed), or None."""
    host = hop
    if host.startswith("["):  # [2001:db8::17]:4711
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:  # 192.0.2.60:4711
        host = host.partition(":")[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)

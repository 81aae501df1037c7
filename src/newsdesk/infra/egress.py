"""The egress guard: URLs that come from sources never reach a private network.

Every request the fetcher makes for a source (feeds, pages, robots.txt, web pages, API follow-ups,
and every redirect hop) is checked here first: the host is resolved and refused when any address
it resolves to is loopback, private, link-local, multicast, reserved or unspecified — in every
encoding (``2130706433``, ``0x7f000001``, ``127.1``, ``[::ffff:127.0.0.1]`` resolve like any
other host). ``[http] allow_private`` lists what an operator allows anyway: host names,
``host:port`` pairs or CIDR ranges (the demo and the tests allow loopback this way). Endpoints
the operator configures outside the fetcher (``[llm] base_url``, the store) are trusted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket


class EgressRefused(Exception):
    """The URL leads to a private address the newsroom has not allowed."""


def blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None and blocked(ip.sixtofour))
    )


class EgressGuard:
    def __init__(self, allow_private: list[str]):
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow_private:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.hosts.add(entry.lower())

    async def check(self, host: str, port: int, url: str) -> None:
        host = host.strip("[]").lower()
        if host in self.hosts or f"{host}:{port}" in self.hosts:
            return
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise EgressRefused(f"cannot resolve {host!r} ({exc})") from None
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if blocked(ip) and not any(ip in net for net in self.networks):
                raise EgressRefused(
                    f"refused {url}: {host} resolves to {ip}, a private or reserved address. newsdesk does not fetch "
                    "private networks for sources; if this host is yours, add it to [http] allow_private"
                )

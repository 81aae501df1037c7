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
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from httpcore2 import AsyncNetworkBackend, AsyncNetworkStream
from httpcore2._backends.auto import AutoBackend


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


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%")[0] for info in infos]


class EgressGuard:
    """Checks a host's addresses and remembers the one checked, so the connection goes to that
    address and not to whatever a second lookup returns (a DNS-rebinding server answers a public
    address to the check and a private one to the connect)."""

    def __init__(self, allow_private: list[str], resolve: Resolver = system_resolve):
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.resolve = resolve
        self._pinned: dict[tuple[str, int], str] = {}
        for entry in allow_private:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.hosts.add(entry.lower())

    async def check(self, host: str, port: int, url: str) -> str | None:
        """The address to connect to, or None for a host allowed by name (resolved as usual).
        Raises EgressRefused."""
        host = host.strip("[]").lower()
        if host in self.hosts or f"{host}:{port}" in self.hosts:
            return None
        try:
            addresses = await self.resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise EgressRefused(f"cannot resolve {host!r} ({exc})") from None
        if not addresses:
            raise EgressRefused(f"cannot resolve {host!r} (no addresses)")
        for address in addresses:
            ip = ipaddress.ip_address(address)
            if blocked(ip) and not any(ip in net for net in self.networks):
                raise EgressRefused(
                    f"refused {url}: {host} resolves to {ip}, a private or reserved address. newsdesk does not fetch "
                    "private networks for sources; if this host is yours, add it to [http] allow_private"
                )
        self._pinned[(host, port)] = addresses[0]
        return addresses[0]

    async def address_for(self, host: str, port: int) -> str:
        """Where a new connection to host:port goes: the address checked for this request, or
        (a connection opened without a check) one checked now."""
        key = (host.strip("[]").lower(), port)
        pinned = self._pinned.get(key)
        if pinned is not None:
            return pinned
        checked = await self.check(host, port, f"{host}:{port}")
        return checked if checked is not None else host


class PinnedBackend(AsyncNetworkBackend):
    """httpcore's network backend, connecting to the address the egress guard checked."""

    def __init__(self, guard: EgressGuard):
        self.guard = guard
        self.inner = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        address = await self.guard.address_for(host, port)
        return await self.inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> AsyncNetworkStream:
        raise EgressRefused("unix sockets are not a source")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)

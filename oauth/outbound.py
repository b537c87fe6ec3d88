"""The one way out for the server's own HTTP requests (back-channel logout,
a client's JWKS at its jwks_uri; any later call goes through here).

An application's manager chooses the URLs this server calls, so each call
could be aimed at the server's own network (server-side request forgery) or
made to hold a worker. Every request therefore:

* resolves the URL's host once, within the request's deadline, and refuses it
  when ANY address it resolves to is special-use (loopback, private, shared,
  unique-local, link-local, multicast, unspecified, reserved, documentation,
  benchmarking, broadcast), the IPv4 address inside an IPv6 one (mapped,
  compatible, 6to4, Teredo, NAT64) included, unless an administrator allowed
  it: refusing rather than picking a good address among bad ones leaves a
  name that points inside no way in;
* connects to the addresses it checked, never resolving the name again (DNS
  rebinding), and checks the certificate against the URL's host;
* follows no redirect (a 3xx is a status like any other);
* ends at one deadline over resolution, connection, TLS, sending and reading,
  however slowly the other side answers;
* receives at most a few KB, whatever the other side sends.
"""

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

# Seconds for a whole request, from resolving the host to the last byte read.
DEFAULT_DEADLINE = 5
# Bytes of an answer's body kept for the caller; the rest is never read.
DEFAULT_MAX_BYTES = 4096
# Bytes of status line and headers received before the body: enough for any
# honest answer, so that what is received stays bounded too.
HEADER_ALLOWANCE = 16384

# The failures a caller may keep and show: what went wrong, never what the
# other side said, nor a system error that tells open ports from closed ones.
INVALID_URL = "invalid URL"
ADDRESS_NOT_ALLOWED = "address not allowed"
NAME_NOT_RESOLVED = "name not resolved"
TIMED_OUT = "timed out"
CONNECTION_FAILED = "connection failed"
TLS_FAILURE = "TLS failure"
INVALID_ANSWER = "invalid answer"

# Why an address is refused: the kinds of special-use addresses.
LOOPBACK = "loopback"
PRIVATE = "private"
LINK_LOCAL = "link-local"
MULTICAST = "multicast"
UNSPECIFIED = "unspecified"
SPECIAL_USE = "special-use"
KIND_PHRASES = {
    LOOPBACK: "a loopback address",
    PRIVATE: "a private address",
    LINK_LOCAL: "a link-local address",
    MULTICAST: "a multicast address",
    UNSPECIFIED: "the unspecified address",
    SPECIAL_USE: "a special-use address",
}

# RFC 1918, RFC 6598 (shared address space) and RFC 4193 (unique local).
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
) + (ipaddress.ip_network("fc00::/7"),)
# RFC 6052 §2.1 well-known NAT64 prefix: the address's last 32 bits are the
# IPv4 address reached.
NAT64_NETWORKS = (ipaddress.ip_network("64:ff9b::/96"),)
# IPv6 ranges that Python's is_global does not refuse: RFC 8215 local-use
# NAT64, whose shorter prefixes carry the IPv4 address elsewhere than in the
# last 32 bits; RFC 3879's deprecated site-local, still routed inside some
# networks; RFC 9637's documentation prefix.
SPECIAL_USE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("64:ff9b:1::/48", "fec0::/10", "3fff::/20")
)
# RFC 4291 §2.5.5.1: deprecated, but some stacks still route it as IPv4.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# RFC 1123 §2.1 host names: letters, digits and hyphens in dot-separated labels.
HOST_NAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (family, sockaddr) of a resolved address, as socket.connect takes it
ResolvedAddress = tuple[socket.AddressFamily, tuple[Any, ...]]


class OutboundError(Exception):
    """A request that did not get an answer: ``kind`` is one of the failures
    above, ``rule`` why an address was refused (for ``ADDRESS_NOT_ALLOWED``)."""

    def __init__(self, kind, refusal=None):
        self.kind = kind
        self.refusal = refusal
        super().__init__(f"{kind}: {refusal}" if refusal else kind)


class Response:
    """An answer: its ``status``, its ``headers`` (names in any case) and at
    most the first ``max_bytes`` of its ``body``."""

    def __init__(self, status, body, headers=None):
        self.status = status
        self.body = body
        self.headers = headers if headers is not None else http.client.HTTPMessage()


class Refusal:
    """Why ``host`` may not be called: ``address``, one it stands for, is of
    ``kind``. ``literal`` says the host was that address as written."""

    def __init__(self, host, address, kind):
        self.host = host
        self.address = address
        self.kind = kind

    @property
    def literal(self):
        return _ip_address(self.host) == self.address

    def __str__(self):
        if self.literal:
            return f"{self.host} is {KIND_PHRASES[self.kind]}"
        return f"{self.host} resolves to {KIND_PHRASES[self.kind]}"


class AllowedNetworks:
    """What an administrator allows despite the address rules: host names
    called whatever they resolve to, and networks whose addresses may be
    called. ``invalid`` keeps the entries that were neither."""

    def __init__(self, hosts=(), networks=(), invalid=()):
        self.hosts = frozenset(hosts)
        self.networks = tuple(networks)
        self.invalid = tuple(invalid)

    def allows_host(self, host):
        return _normal_host(host) in self.hosts

    def allows_address(self, address):
        return any(
            address.version == network.version and address in network
            for network in self.networks
        )


NO_ALLOWED_NETWORKS = AllowedNetworks()


def parse_allowed_networks(text: str | None) -> AllowedNetworks:
    """The :class:`AllowedNetworks` of a comma-separated list of networks in
    CIDR notation (an address alone is a network of one) and host names."""
    hosts, networks, invalid = [], [], []
    for entry in (text or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        network = _ip_network(entry.strip("[]"))
        host = _normal_host(entry)
        if network:
            networks.append(network)
        elif HOST_NAME.fullmatch(host) and not host.replace(".", "").isdigit():
            hosts.append(host)
        else:
            invalid.append(entry)
    return AllowedNetworks(hosts, networks, invalid)


def _normal_host(host):
    return host.lower().rstrip(".")


def _ip_network(text):
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _ip_address(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 ``address`` carries and is routed to, if any:
    IPv4-mapped, IPv4-compatible, 6to4, Teredo (its client) or NAT64."""
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    low_bits = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in network for network in NAT64_NETWORKS):
        return low_bits
    # :: and ::1 are IPv6's own unspecified and loopback addresses
    if address in IPV4_COMPATIBLE and int(address) > 1:
        return low_bits
    return None


def special_use_kind(address: IPAddress) -> str | None:
    """The kind of special-use address ``address`` is, or None for one
    reachable on the internet, which this server may call."""
    inner = embedded_ipv4(address)
    if inner is not None:
        # the IPv6 prefix only carries it: the IPv4 address is reached
        return special_use_kind(inner)
    if address.is_unspecified:
        return UNSPECIFIED
    if address.is_loopback:
        return LOOPBACK
    if address.is_link_local:
        return LINK_LOCAL
    if address.is_multicast:
        return MULTICAST
    if any(
        address in net for net in PRIVATE_NETWORKS if net.version == address.version
    ):
        return PRIVATE
    if not address.is_global or address.is_reserved:
        return SPECIAL_USE
    if any(
        address in net for net in SPECIAL_USE_NETWORKS if net.version == address.version
    ):
        return SPECIAL_USE
    return None


def address_refusal(
    host: str, address: IPAddress, allowed: AllowedNetworks = NO_ALLOWED_NETWORKS
) -> Refusal | None:
    """Why ``address``, which ``host`` stands for, may not be called, or None
    when it may."""
    if allowed.allows_host(host) or allowed.allows_address(address):
        return None
    kind = special_use_kind(address)
    return Refusal(host, address, kind) if kind else None


class Target:
    """The parts of a URL a request needs: ``scheme``, ``host`` (brackets
    removed), ``port`` and ``path`` (with its query)."""

    def __init__(self, url):
        if not (url.isascii() and url.isprintable()) or " " in url:
            raise OutboundError(INVALID_URL)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise OutboundError(INVALID_URL) from error
        self.scheme = parts.scheme.lower()
        if self.scheme not in ("https", "http") or not parts.hostname:
            raise OutboundError(INVALID_URL)
        # a user name can make one host look like another
        if "@" in parts.netloc or port == 0:
            raise OutboundError(INVALID_URL)
        self.host = parts.hostname
        self.port = port or (443 if self.scheme == "https" else 80)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _remaining(deadline):
    return deadline - time.monotonic()


def resolve(host: str, port: int, deadline: float) -> list[ResolvedAddress]:
    """The ``(family, sockaddr)`` of every address ``host`` resolves to,
    resolved once, giving up at ``deadline`` (a time.monotonic())."""
    outcome = {}

    def lookup():
        try:
            outcome["addresses"] = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as error:
            outcome["error"] = error

    # getaddrinfo takes no timeout: a lookup that outlives the deadline is
    # left to finish on its own in a thread that holds nothing.
    resolver = threading.Thread(target=lookup, daemon=True)
    resolver.start()
    resolver.join(max(_remaining(deadline), 0))
    if resolver.is_alive():
        raise OutboundError(TIMED_OUT)
    if "error" in outcome or not outcome["addresses"]:
        raise OutboundError(NAME_NOT_RESOLVED)
    return [(family, sockaddr) for family, _t, _p, _c, sockaddr in outcome["addresses"]]


def checked_addresses(
    target: Target, allowed: AllowedNetworks, deadline: float
) -> list[ResolvedAddress]:
    """The addresses ``target``'s host resolves to, once all are allowed."""
    addresses = resolve(target.host, target.port, deadline)
    for _family, sockaddr in addresses:
        refusal = address_refusal(
            target.host, ipaddress.ip_address(sockaddr[0]), allowed
        )
        if refusal:
            raise OutboundError(ADDRESS_NOT_ALLOWED, refusal)
    return addresses


def destination_refusal(
    url: str,
    allowed: AllowedNetworks = NO_ALLOWED_NETWORKS,
    deadline: float = DEFAULT_DEADLINE,
) -> Refusal | None:
    """Why this server would refuse to call ``url``, as a :class:`Refusal`,
    or None. A host name that does not resolve (now) is not refused: each
    request checks again."""
    try:
        checked_addresses(Target(url), allowed, time.monotonic() + deadline)
    except OutboundError as error:
        if error.kind == ADDRESS_NOT_ALLOWED:
            return error.refusal
    return None


class _DeadlineMixin:
    """A socket whose every wait ends at ``deadline`` (a time.monotonic()) and
    which receives at most ``allowance`` bytes, then reads as closed: a peer
    sending a byte at a time, or without end, cannot hold it longer nor make
    it keep more."""

    deadline = None
    allowance = 0

    def _arm(self):
        remaining = _remaining(self.deadline)
        if remaining <= 0:
            raise TimeoutError("deadline reached")
        self.settimeout(remaining)

    def connect(self, address):
        self._arm()
        return super().connect(address)

    def do_handshake(self, *args, **kwargs):
        self._arm()
        return super().do_handshake(*args, **kwargs)

    def sendall(self, data, *args):
        self._arm()
        return super().sendall(data, *args)

    def send(self, data, *args):
        self._arm()
        return super().send(data, *args)

    def recv_into(self, buffer, nbytes=None, flags=0):
        size = min(nbytes or len(buffer), self.allowance)
        if size <= 0:
            return 0
        self._arm()
        received = super().recv_into(buffer, size, flags)
        self.allowance -= received
        return received


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to one of the checked ``addresses`` of the URL's
    host, which it names in Host and, for https, in TLS (SNI and the
    certificate's check)."""

    def __init__(self, target, addresses, deadline, allowance):
        super().__init__(target.host, target.port)
        self.deadline_socket = None
        # so that Host names the port only when the URL does
        self.default_port = 443 if target.scheme == "https" else 80
        self.target = target
        self.addresses = addresses
        self.deadline = deadline
        self.allowance = allowance

    def connect(self):
        failure = None
        for family, sockaddr in self.addresses:
            sock = _DeadlineSocket(family, socket.SOCK_STREAM)
            sock.deadline, sock.allowance = self.deadline, self.allowance
            try:
                sock.connect(sockaddr)
            except OSError as error:
                sock.close()
                failure = error
                continue
            self.sock = self._secure(sock) if self.target.scheme == "https" else sock
            # http.client lets go of the socket once the answer is begun
            self.deadline_socket = self.sock
            return
        raise failure

    def _secure(self, sock):
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        try:
            tls = context.wrap_socket(
                sock, server_hostname=self.target.host, do_handshake_on_connect=False
            )
            tls.deadline, tls.allowance = self.deadline, self.allowance
            tls.do_handshake()
        except BaseException:
            sock.close()
            raise
        return tls


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    allowed: AllowedNetworks = NO_ALLOWED_NETWORKS,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """Send one request to ``url`` under the rules of this module and return
    its :class:`Response`; raise :class:`OutboundError` when there is none.
    ``deadline`` is in seconds, for the whole request."""
    ends_at = time.monotonic() + deadline
    target = Target(url)
    addresses = checked_addresses(target, allowed, ends_at)
    connection = _PinnedConnection(target, addresses, ends_at, HEADER_ALLOWANCE)
    try:
        connection.request(method, target.path, body=body, headers=headers or {})
        response = connection.getresponse()
        received = connection.deadline_socket
        if received.allowance <= 0:
            # headers without end, which http.client took as ended
            raise OutboundError(INVALID_ANSWER)
        received.allowance = max_bytes
        try:
            content = response.read(max_bytes)
        except http.client.IncompleteRead as error:
            # the body ended early, or at what this module would receive
            content = error.partial
        return Response(response.status, content, response.headers)
    except TimeoutError as error:
        raise OutboundError(TIMED_OUT) from error
    except (ssl.SSLError, ssl.CertificateError) as error:
        raise OutboundError(TLS_FAILURE) from error
    except http.client.HTTPException as error:
        raise OutboundError(INVALID_ANSWER) from error
    except OSError as error:
        raise OutboundError(CONNECTION_FAILED) from error
    finally:
        connection.close()


def post_form(url: str, data: Mapping[str, str], **options: Any) -> Response:
    """POST ``data`` to ``url`` as application/x-www-form-urlencoded; the
    options of :func:`request`."""
    return request(
        "POST",
        url,
        body=urlencode(data).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        **options,
    )

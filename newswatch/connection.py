"""Connections that enforce the address guard: every address a host resolves to is checked before
connecting, and every connect, read and write ends by the request's deadline."""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from contextvars import ContextVar

import httpcore

from newswatch.guard import AddressGuard, AddressRefusedError

# The same union as httpcore's (private) SOCKET_OPTION, for the backend's signature.
SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
# The wall-clock deadline (time.monotonic) of the request running in this context, set by the
# fetcher: every connect, read and write made through GuardedBackend ends by then.
REQUEST_DEADLINE: ContextVar[float | None] = ContextVar("newswatch_request_deadline", default=None)


def _clamp(timeout: float | None, expired: type[Exception]) -> float | None:
    """A socket timeout, shortened to what is left of the current request's deadline."""
    deadline = REQUEST_DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("request deadline reached")
    return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the request deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read, giving up at the read timeout or the deadline, whichever comes first."""
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write, giving up at the write timeout or the deadline."""
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        """Close the underlying stream."""
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        """TLS over this stream (the certificate is checked against the host name, not the IP)."""
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> object:
        """What the underlying stream says."""
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore network backend: resolve each host once, check every address, connect to a checked one.

    Checking at connection time covers every redirect hop and leaves no window for DNS
    rebinding; TLS still verifies the certificate against the host name (httpcore passes it as SNI).
    Connects and streams also honour REQUEST_DEADLINE.
    """

    def __init__(self, guard: AddressGuard, *, resolver_threads: int = 4) -> None:
        self._guard = guard
        self._inner = httpcore.SyncBackend()
        # getaddrinfo has no timeout of its own: run it in a small pool and stop waiting at the deadline.
        self._dns = ThreadPoolExecutor(max_workers=resolver_threads, thread_name_prefix="newswatch-dns")

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        """Open a TCP connection to an allowed address of `host`, or raise AddressRefusedError."""
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        started = time.monotonic()
        addresses = [host] if _is_ip(host) else self._resolve(host, timeout)
        reason = self._guard.check_addresses(host, addresses, port)
        if reason is not None:
            raise AddressRefusedError(reason)
        failure: httpcore.ConnectError | None = None
        for ip in addresses:
            remaining = None if timeout is None else timeout - (time.monotonic() - started)
            if remaining is not None and remaining <= 0:
                break
            try:
                stream = self._inner.connect_tcp(ip, port, remaining, local_address, socket_options)
                return DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                failure = exc
        if failure is not None:
            raise failure
        raise httpcore.ConnectTimeout(f"connecting to {host} took longer than {timeout} s")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        """Unix sockets are never a fetch target."""
        raise AddressRefusedError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        """Wait between httpcore's connection retries."""
        time.sleep(seconds)

    def close(self) -> None:
        """Stop the resolver threads (a lookup still hanging in the OS is abandoned)."""
        self._dns.shutdown(wait=False, cancel_futures=True)

    def _resolve(self, host: str, timeout: float | None) -> list[str]:
        """The host's addresses, resolved once; timeouts and failures as httpcore connect errors."""
        future = self._dns.submit(self._guard.resolver, host)
        try:
            return future.result(timeout)
        except FutureTimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout} s") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host}") from exc


def _is_ip(host: str) -> bool:
    """True for an IPv4 or IPv6 literal (zone identifiers included)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True

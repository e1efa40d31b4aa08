"""Local ports for the tests that start a server, or need one that is not running."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A local port nothing listens on: a server started there can bind it, and a connection to it is refused at
    once (a server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

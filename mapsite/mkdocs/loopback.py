"""The plaintext preview answers this machine only: loopback addresses, and a check of the Host header."""

from __future__ import annotations

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def own_host_only(app, server):
    """`app` (MkDocs' WSGI app) behind a check of the Host header: 403 unless it names the server itself.

    Listening on loopback keeps other machines out, not other sites: a page can point its own name
    at 127.0.0.1 (DNS rebinding) and read the plaintext preview as same-origin. Its requests still
    carry its name in Host, so only `127.0.0.1:PORT`, `[::1]:PORT` (as bound) and `localhost:PORT` pass.
    """
    def guarded(environ, start_response):
        host, port = server.server_address[:2]  # as bound: an IPv4 or IPv6 address, the real port
        names = (f"[{host}]" if ":" in host else host, "localhost")
        allowed = {f"{name}:{port}" for name in names} | (set(names) if port == 80 else set())  # :80 goes unsaid
        if environ.get("HTTP_HOST", "").lower() in allowed:
            return app(environ, start_response)
        start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
        return [f"Forbidden: this preview answers only http://{names[0]}:{port}/ and http://localhost:{port}/\n".encode()]
    return guarded

"""sslproto-lost-handshake: a connection closed by this side while start_tls's handshake runs
makes start_tls return None, with no exception, and the app protocol never hears that its
connection is gone.

The close sends connection_lost(None) into the SSL protocol, still in DO_HANDSHAKE: it wakes
start_tls's waiter with None (so start_tls returns _app_transport, already None) and skips the
app's connection_lost because the handshake had not finished.
Usage: sslproto_lost_handshake.py CERT_DIR
"""
import asyncio
import sys

from findings_common import contexts, run, verdict


class App(asyncio.Protocol):
    def __init__(self):
        self.lost = []

    def connection_lost(self, exc):
        self.lost.append(exc)


class SilentServer(asyncio.Protocol):
    """Accepts and reads, never answers: the handshake stays in progress."""


async def main(cert_dir):
    _, client_ctx = contexts(cert_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(SilentServer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    app = App()
    transport, _ = await loop.create_connection(lambda: app, "127.0.0.1", port)
    loop.call_later(0.2, transport.close)  # the app gives up while the handshake runs
    try:
        outcome = await loop.start_tls(transport, app, client_ctx, server_hostname="localhost")
    except Exception as exc:  # noqa: BLE001 - what start_tls raises is part of the finding
        outcome = exc
    await asyncio.sleep(0.3)  # room for a connection_lost that does not come
    server.close()
    return outcome, app


outcome, app = run(lambda: main(sys.argv[1]))
verdict("sslproto-lost-handshake", outcome is None and not app.lost,
        f"start_tls returned {outcome!r}; the app's connection_lost calls: {app.lost}")

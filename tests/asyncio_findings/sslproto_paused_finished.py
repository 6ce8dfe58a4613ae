"""sslproto-paused-finished: a TLS 1.3 client whose app pauses reading in connection_made never
sends its Finished, so the server's handshake does not complete until the client app writes.

The client's last handshake step puts its Finished in the outgoing BIO. After connection_made,
_on_handshake_complete flushes only through _do_read, which does nothing while the app has
paused reading. The server waits for the Finished; nothing else sends it.
A control run without the pause shows the same set-up completing the server's handshake.
Usage: sslproto_paused_finished.py CERT_DIR
"""
import asyncio
import sys

from findings_common import contexts, run, verdict


class PausesAtOnce(asyncio.Protocol):
    def __init__(self, pause):
        self.pause = pause

    def connection_made(self, transport):
        if self.pause:
            transport.pause_reading()


async def server_handshake_completes(cert_dir, pause):
    server_ctx, client_ctx = contexts(cert_dir)
    loop = asyncio.get_running_loop()
    server_made = loop.create_future()

    class Server(asyncio.Protocol):
        def connection_made(self, transport):
            if not server_made.done():
                server_made.set_result(None)

    server = await loop.create_server(Server, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await loop.create_connection(lambda: PausesAtOnce(pause), "127.0.0.1", port,
                                                ssl=client_ctx, server_hostname="localhost")
    try:
        await asyncio.wait_for(asyncio.shield(server_made), 2)
        completed = True
    except asyncio.TimeoutError:
        completed = False
    transport.abort()
    server.close()
    return completed


async def main(cert_dir):
    control = await server_handshake_completes(cert_dir, pause=False)
    paused = await server_handshake_completes(cert_dir, pause=True)
    return control, paused


control, paused = run(lambda: main(sys.argv[1]))
if not control:
    print("the control run (no pause) did not complete the server's handshake: set-up broken")
    sys.exit(1)
verdict("sslproto-paused-finished", not paused,
        "the client is connected, yet the server's handshake did not complete within 2 s"
        if not paused else "the server's handshake completed")

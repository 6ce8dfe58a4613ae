"""abort() after a close() whose buffered data was then flushed raises AttributeError.

close() with data still buffered waits for the buffer; when the write path empties it, it calls
_call_connection_lost itself without raising _conn_lost, and _call_connection_lost clears the
transport's loop, socket and protocol. A later abort() finds _conn_lost at 0 and uses them.
Same root as gh-156512 (fixed upstream in 2026). No certificates needed.
Usage: abort_after_flushed_close.py [CERT_DIR (ignored)]
"""
import asyncio
import socket

from findings_common import run, verdict


async def main():
    loop = asyncio.get_running_loop()
    app_sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    app_sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 2048)
    lost = loop.create_future()

    class App(asyncio.Protocol):
        def connection_lost(self, exc):
            lost.set_result(exc)

    transport, _ = await loop.create_unix_connection(App, sock=app_sock)
    transport.write(b"x" * 5000)  # more than the socket takes: the rest is buffered
    transport.close()             # waits for the buffer
    peer.setblocking(False)
    while not lost.done():        # the peer reads; the buffer drains; connection_lost comes
        try:
            peer.recv(65536)
        except BlockingIOError:
            pass
        await asyncio.sleep(0.001)
    try:
        transport.abort()
        error = None
    except Exception as exc:  # noqa: BLE001 - which exception escapes is the finding
        error = exc
    peer.close()
    return error


error = run(main)
verdict("abort-after-flushed-close", isinstance(error, AttributeError), f"abort() raised {error!r}")

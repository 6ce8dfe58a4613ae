"""loop.sendfile's fallback sends a body from where its position was, not from offset 0.

Not a loopcheck finding: CPython gh-150107, the catalog's switch of that name; this shows that
the python here still has it (README's "asyncio 3.13" column). A body without a fileno (a
BytesIO) goes down the fallback, which seeks only for a non-zero offset; the first sendfile
leaves the position at the body's end, so the second returns 0 and sends nothing.
No certificates needed.
Usage: sendfile_offset_zero.py [CERT_DIR (ignored)]
"""
import asyncio
import io
import socket

from findings_common import run, verdict


async def main():
    loop = asyncio.get_running_loop()
    app_sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    transport, _ = await loop.create_unix_connection(asyncio.Protocol, sock=app_sock)
    body = io.BytesIO(b"x" * 100)
    first = await loop.sendfile(transport, body)
    second = await loop.sendfile(transport, body)
    transport.close()
    await asyncio.sleep(0)
    peer.setblocking(False)
    received = b""
    while True:
        try:
            chunk = peer.recv(65536)
        except BlockingIOError:
            await asyncio.sleep(0.001)
            continue
        if not chunk:
            break
        received += chunk
    peer.close()
    return first, second, len(received)


first, second, received = run(main)
verdict("gh-150107", second == 0 and received == 100,
        f"two sendfile(body, offset 0) calls returned {first} and {second}; the peer got {received} bytes")

"""close() or abort() while loop.sendfile sends natively: InvalidStateError, and the sendfile
never returns.

The native path waits for the transport's buffer to drain (the empty waiter), then lets
os.sendfile write to the socket on each writability. A close() or abort() now closes the socket:
_call_connection_lost sets an exception on the empty waiter, which is already done, so
InvalidStateError goes to the loop's exception handler; and nothing tells the sendfile, whose
writer was on the socket just closed, so it never returns. The proactor's twin of the first half
was bpo-35682. Catalog switch: sendfile-close-hang. No certificates needed.
Usage: sendfile_close_hang.py [CERT_DIR (ignored)]
"""
import asyncio
import socket
import tempfile

from findings_common import run, verdict


async def main():
    loop = asyncio.get_running_loop()
    handled = []
    loop.set_exception_handler(lambda _loop, context: handled.append(type(context.get("exception")).__name__))
    app_sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    transport, _ = await loop.create_unix_connection(asyncio.Protocol, sock=app_sock)
    body = tempfile.TemporaryFile()
    body.write(b"x" * (4 << 20))  # more than the socket takes: os.sendfile waits for writability
    body.flush()
    body.seek(0)
    sending = asyncio.ensure_future(loop.sendfile(transport, body))
    await asyncio.sleep(0.05)
    transport.abort()
    await asyncio.sleep(0.05)
    peer.close()
    try:
        await asyncio.wait_for(asyncio.shield(sending), 1.0)
        ended = "returned"
    except asyncio.TimeoutError:
        ended = None
        sending.cancel()
    except Exception as exc:  # noqa: BLE001 - raising is the fixed behaviour
        ended = "raised " + type(exc).__name__
    return handled, ended


handled, ended = run(main)
verdict("sendfile-close-hang", ended is None and "InvalidStateError" in handled,
        f"the exception handler got {handled}; 1 s after abort() the sendfile has "
        f"{ended or 'neither returned nor raised'}")

"""writelines() never pauses writing (3.12 to 3.13.0): the buffer grows past the high-water mark
and pause_writing never comes, where write() of the same bytes pauses. 3.11 and older join the
chunks into one write(), so they pause: the reproducer skips there (exit 77).
Usage: writelines_no_pause.py [CERT_DIR (ignored)]
"""
import asyncio
import socket
import sys

from findings_common import run, verdict

if sys.version_info < (3, 12):
    print("skipped: python %s's writelines() is one write(); the finding is 3.12's scatter path"
          % sys.version.split()[0])
    sys.exit(77)


async def main():
    loop = asyncio.get_running_loop()
    app_sock, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    app_sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 2048)
    paused = []

    class App(asyncio.Protocol):
        def pause_writing(self):
            paused.append(True)

    transport, _ = await loop.create_unix_connection(App, sock=app_sock)
    transport.set_write_buffer_limits(high=1024)
    transport.writelines([b"x" * 50000, b"y" * 50000])  # far more than the socket takes
    size, high = transport.get_write_buffer_size(), transport.get_write_buffer_limits()[1]
    transport.abort()
    peer.close()
    return size, high, bool(paused)


size, high, paused = run(main)
verdict("writelines-no-pause", size > high and not paused,
        f"buffer {size} bytes above the high-water mark {high}; pause_writing {'came' if paused else 'never came'}")

"""sslproto-flush-abort: an app that aborts inside a callback of close()'s flush makes close()
raise RuntimeError (UNWRAPPED -> SHUTDOWN), instead of closing.

close() on an SSL transport flushes (_do_flush reads, then writes what is pending); flushing can
call the app's resume_writing. An app that calls abort() there moves the protocol to UNWRAPPED;
_do_flush then asks for SHUTDOWN, which _set_state refuses.
Usage: sslproto_flush_abort.py CERT_DIR
"""
import asyncio
import sys

from findings_common import contexts, run, verdict


class AbortsWhenResumed(asyncio.Protocol):
    def __init__(self, done):
        self.done = done
        self.events = []
        self.close_error = None

    def connection_made(self, transport):
        self.transport = transport
        # High water 0: anything pending (a TLS 1.3 client's own Finished) pauses writing.
        transport.set_write_buffer_limits(high=0)
        try:
            transport.close()  # the flush writes what is pending, so writing resumes in here
        except Exception as exc:  # noqa: BLE001 - the finding is which exception escapes
            self.close_error = exc
        self.done.set_result(None) if not self.done.done() else None

    def pause_writing(self):
        self.events.append("pause_writing")

    def resume_writing(self):
        self.events.append("resume_writing")
        self.transport.abort()

    def connection_lost(self, exc):
        self.events.append("connection_lost")


async def main(cert_dir):
    server_ctx, client_ctx = contexts(cert_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    done = loop.create_future()
    _, app = await loop.create_connection(lambda: AbortsWhenResumed(done), "127.0.0.1", port,
                                          ssl=client_ctx, server_hostname="localhost")
    await done
    await asyncio.sleep(0.1)
    server.close()
    return app


app = run(lambda: main(sys.argv[1]))
error = app.close_error
verdict("sslproto-flush-abort",
        isinstance(error, RuntimeError) and "SHUTDOWN" in str(error),
        f"close() raised {error!r}; callbacks: {app.events}")

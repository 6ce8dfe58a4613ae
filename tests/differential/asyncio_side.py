"""The CPython side of the differential run: one script (see tools/loopcheck/real_differential.cc
and real_differential_datagram.cc for the steps) on asyncio's own selector stream transport over
an AF_UNIX socketpair, or its datagram transport between two UDP sockets on loopback, recorded
in the same JSON shape as `loopcheck real differential` prints.

Between steps the loop runs a fixed number of iterations (asyncio.sleep(0) is one iteration with
a zero-timeout select), as loopcheck's side does; AF_UNIX delivers at once, so both settle.
"""
import asyncio
import concurrent.futures
import io
import logging
import os
import socket
import tempfile

# asyncio logs a warning for writes after the connection is lost; the record says it already.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)

SETTLE_ITERATIONS = 20


def payload(offset, n):
    return bytes(ord('a') + (offset + i) % 26 for i in range(n))


def kind_of(exc):
    return "None" if exc is None else type(exc).__name__


class Recording:
    """What both protocols keep: every callback in order, and the one-shot hooks a script sets
    (a step to run inside the next call of a callback, recorded after it)."""

    def __init__(self, run):
        self.run = run
        self.events = []
        self.hooks = {}
        self.lost = False
        self.paused = False  # told pause_writing and not yet resume_writing

    def note(self, event, callback=None):
        self.events.append(event)
        step = self.hooks.pop(callback, None) if callback else None
        if step is not None:
            self.events.append({"hook": step.get("do", ""), "result": self.run.act(step)})

    def connection_made(self, transport):
        self.note({"cb": "connection_made"})

    def connection_lost(self, exc):
        self.lost = True
        self.note({"cb": "connection_lost", "exc": kind_of(exc)})

    def pause_writing(self):
        self.paused = True
        self.note({"cb": "pause_writing"}, "pause_writing")

    def resume_writing(self):
        self.paused = False
        self.note({"cb": "resume_writing"}, "resume_writing")


class DiffProtocol(Recording, asyncio.Protocol):
    def __init__(self, run):
        super().__init__(run)
        self.keep_open = False  # what eof_received answers

    def data_received(self, data):
        self.note({"cb": "data_received", "n": len(data)}, "data_received")

    def eof_received(self):
        self.note({"cb": "eof_received"}, "eof_received")
        return self.keep_open


class Peer:
    def __init__(self, sock):
        self.sock = sock
        self.received = 0
        self.eof = False
        self.error = ""

    def note(self, exc):
        name = type(exc).__name__ if isinstance(exc, (BrokenPipeError, ConnectionResetError)) \
            else os.strerror(exc.errno)
        if not self.error:
            self.error = name
        return name

    def send(self, n, offset):
        try:
            return "sent %d" % self.sock.send(payload(offset, n), socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)
        except BlockingIOError as exc:
            return self.note(exc)
        except OSError as exc:
            return self.note(exc)

    def read_all(self):
        while True:
            try:
                data = self.sock.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return "ok"
            except OSError as exc:
                return self.note(exc)
            if not data:
                self.eof = True
                return "ok"
            self.received += len(data)


class Run:
    def start_sendfile(self, step):
        """loop.sendfile as a task: a file on disk (os.sendfile) or a BytesIO (the fallback)."""
        n = step.get("n", 0)
        body = payload(self.app_sent, n)
        self.app_sent += n
        if step.get("native", True):
            file = tempfile.TemporaryFile()
            file.write(body)
            file.seek(0)
        else:
            file = io.BytesIO(body)
        self.files.append(file)
        task = asyncio.ensure_future(asyncio.get_running_loop().sendfile(self.transport, file))

        def done(fut):
            if fut.cancelled():  # the loop's own shutdown: the record is already taken
                return
            self.protocol.note({"cb": "sendfile_done", "exc": kind_of(fut.exception()), "tell": file.tell()})
        task.add_done_callback(done)

    def __init__(self, peer_sock):
        self.protocol = DiffProtocol(self)
        self.peer = Peer(peer_sock)
        self.transport = None
        self.app_sent = 0
        self.peer_sent = 0
        self.loop_exceptions = []
        self.files = []

    def act(self, step):
        what = step.get("do", "")
        t = self.transport
        try:
            if what == "write":
                n = step.get("n", 0)
                t.write(payload(self.app_sent, n))
                self.app_sent += n
            elif what == "writelines":
                n, parts = step.get("n", 0), max(1, step.get("parts", 1))
                size = -(-n // parts) if n else 1
                chunks = [payload(self.app_sent + at, min(size, n - at)) for at in range(0, n, size)]
                t.writelines(chunks + [b""])
                self.app_sent += n
            elif what == "sendfile":
                self.start_sendfile(step)
            elif what == "write_eof":
                t.write_eof()
            elif what == "set_limits":
                t.set_write_buffer_limits(high=step.get("high", 0), low=step.get("low", 0))
            elif what == "close":
                t.close()
            elif what == "abort":
                t.abort()
            elif what == "pause_reading":
                t.pause_reading()
            elif what == "resume_reading":
                t.resume_reading()
            elif what == "keep_open":
                self.protocol.keep_open = step.get("value", False)
            elif what == "hook":
                self.protocol.hooks[step.get("on", "")] = step.get("act", {})
        except Exception as exc:  # noqa: BLE001 - what asyncio raises is the result
            return "raised " + type(exc).__name__
        if not what.startswith("peer_"):
            return "ok"
        if self.peer.sock is None:
            return "closed"
        if what == "peer_send":
            result = self.peer.send(step.get("n", 0), self.peer_sent)
            if result.startswith("sent "):
                self.peer_sent += int(result[5:])
            return result
        if what == "peer_read":
            return self.peer.read_all()
        if what == "peer_shutdown":
            try:
                self.peer.sock.shutdown(socket.SHUT_WR)
                return "ok"
            except OSError as exc:
                return self.peer.note(exc)
        if what == "peer_close":
            self.peer.sock.close()
            self.peer.sock = None
            return "ok"
        return "unknown step"


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """loop.sendfile's fallback reads the file in the default executor; a thread's timing would
    make the record differ from run to run. This one reads at once, in the loop's thread: the
    answer still comes back through call_soon_threadsafe, two loop turns later, which is what
    loopcheck's model takes (its soonest)."""

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting task, as a thread would
            future.set_exception(exc)
        return future


async def settle():
    for _ in range(SETTLE_ITERATIONS):
        await asyncio.sleep(0)


async def play(script, run, state, close_peer):
    """One script once the transport exists: a settle, each step with a settle after it and the
    state `state` gives (the step's result added), an abort of whatever is still open, and the
    record. What reaches the loop's exception handler is recorded too."""
    asyncio.get_running_loop().set_exception_handler(lambda _loop, context: run.protocol.events.append(
        {"loop_exception": kind_of(context.get("exception"))}))
    await settle()
    steps = []
    for step in script["steps"]:
        result = run.act(step)
        await settle()
        steps.append(dict(state(), result=result))
    if not run.protocol.lost:
        run.transport.abort()
        await settle()
    close_peer()
    return {"events": run.protocol.events, "steps": steps}


def stream_state(run):
    state = {"closing": run.transport.is_closing(), "buffer": run.transport.get_write_buffer_size(),
             "peer_received": run.peer.received, "peer_eof": run.peer.eof, "peer_error": run.peer.error}
    # A diagnosis only, not compared: 3.12+'s buffer of chunks holding nothing but empty ones,
    # which it can never send (gh-155888). Private, so looked up with care.
    chunks = getattr(run.transport, "_buffer", None)
    if chunks and run.transport.get_write_buffer_size() == 0:
        state["stuck_empty_chunks"] = True
    # Another: the buffer is above the high-water mark and the protocol was never told to pause
    # (3.12 to 3.13.0's writelines does not call _maybe_pause_protocol).
    _, high = run.transport.get_write_buffer_limits()
    if not run.transport.is_closing() and run.transport.get_write_buffer_size() > high \
            and not run.protocol.paused:
        state["over_high_unpaused"] = True
    return state


async def run_script(script):
    loop = asyncio.get_running_loop()
    app_sock, peer_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    if "sndbuf" in script:
        app_sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, script["sndbuf"])
    run = Run(peer_sock)
    loop.set_default_executor(InlineExecutor(max_workers=1))
    run.transport, _ = await loop.create_unix_connection(lambda: run.protocol, sock=app_sock)
    return await play(script, run, lambda: stream_state(run),
                      lambda: run.peer.sock is not None and run.peer.sock.close())


def run(script):
    if script.get("transport") == "datagram":
        return asyncio.run(run_datagram_script(script))
    return asyncio.run(run_script(script))


class DiffDatagramProtocol(Recording, asyncio.DatagramProtocol):
    """The datagram run's protocol: datagrams by size and whether the peer sent them."""

    def datagram_received(self, data, addr):
        self.note({"cb": "datagram_received", "n": len(data), "from_peer": addr == self.run.peer_addr},
                  "datagram_received")

    def error_received(self, exc):
        self.note({"cb": "error_received", "exc": kind_of(exc)}, "error_received")


class DatagramRun:
    """Two unconnected UDP sockets on loopback: the app's (under the transport) and the peer's."""

    def __init__(self):
        self.protocol = DiffDatagramProtocol(self)
        self.peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.peer.bind(("127.0.0.1", 0))
        self.peer.setblocking(False)
        self.peer_addr = self.peer.getsockname()
        self.app_addr = None
        self.transport = None
        self.sent = 0
        self.peer_sent = 0
        self.peer_datagrams = 0
        self.peer_bytes = 0
        self.peer_error = ""

    def note(self, exc):
        name = type(exc).__name__
        if not self.peer_error:
            self.peer_error = name
        return name

    def act(self, step):
        what = step.get("do", "")
        t = self.transport
        try:
            if what == "sendto":
                n = step.get("n", 0)
                t.sendto(payload(self.sent, n), self.peer_addr)
                self.sent += n
            elif what == "set_limits":
                t.set_write_buffer_limits(high=step.get("high", 0), low=step.get("low", 0))
            elif what == "close":
                t.close()
            elif what == "abort":
                t.abort()
            elif what == "hook":
                self.protocol.hooks[step.get("on", "")] = step.get("act", {})
        except Exception as exc:  # noqa: BLE001 - what asyncio raises is the result
            return "raised " + type(exc).__name__
        if not what.startswith("peer_"):
            return "ok"
        if self.peer is None:
            return "closed"
        if what == "peer_send":
            n = step.get("n", 0)
            try:
                sent = self.peer.sendto(payload(self.peer_sent, n), self.app_addr)
            except OSError as exc:
                return self.note(exc)
            self.peer_sent += n
            return "sent %d" % sent
        if what == "peer_read":
            while True:
                try:
                    data, _ = self.peer.recvfrom(65536)
                except BlockingIOError:
                    return "ok"
                except OSError as exc:
                    return self.note(exc)
                self.peer_datagrams += 1
                self.peer_bytes += len(data)
        if what == "peer_close":
            self.peer.close()
            self.peer = None
            return "ok"
        return "unknown step"


async def run_datagram_script(script):
    loop = asyncio.get_running_loop()
    app_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    app_sock.bind(("127.0.0.1", 0))
    run = DatagramRun()
    run.app_addr = app_sock.getsockname()
    run.transport, _ = await loop.create_datagram_endpoint(lambda: run.protocol, sock=app_sock)
    return await play(script, run, lambda: {
        "closing": run.transport.is_closing(), "buffer": run.transport.get_write_buffer_size(),
        "peer_datagrams": run.peer_datagrams, "peer_bytes": run.peer_bytes, "peer_error": run.peer_error},
        lambda: run.peer is not None and run.peer.close())

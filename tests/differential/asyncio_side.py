"""The CPython side of the differential run: one script (see tools/loopcheck/real_differential.cc
for its steps) on asyncio's own selector stream transport over an AF_UNIX socketpair, recorded
in the same JSON shape as `loopcheck real differential` prints.

Between steps the loop runs a fixed number of iterations (asyncio.sleep(0) is one iteration with
a zero-timeout select), as loopcheck's side does; AF_UNIX delivers at once, so both settle.
"""
import asyncio
import logging
import os
import socket

# asyncio logs a warning for writes after the connection is lost; the record says it already.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)

SETTLE_ITERATIONS = 20


def payload(offset, n):
    return bytes(ord('a') + (offset + i) % 26 for i in range(n))


def kind_of(exc):
    return "None" if exc is None else type(exc).__name__


class DiffProtocol(asyncio.Protocol):
    def __init__(self, run):
        self.run = run
        self.events = []
        self.keep_open = False
        self.hooks = {}
        self.transport = None
        self.lost = False
        self.paused = False  # told pause_writing and not yet resume_writing

    def connection_made(self, transport):
        self.transport = transport
        self.events.append({"cb": "connection_made"})

    def data_received(self, data):
        self.events.append({"cb": "data_received", "n": len(data)})
        self._hook("data_received")

    def eof_received(self):
        self.events.append({"cb": "eof_received"})
        self._hook("eof_received")
        return self.keep_open

    def connection_lost(self, exc):
        self.lost = True
        self.events.append({"cb": "connection_lost", "exc": kind_of(exc)})

    def pause_writing(self):
        self.paused = True
        self.events.append({"cb": "pause_writing"})
        self._hook("pause_writing")

    def resume_writing(self):
        self.paused = False
        self.events.append({"cb": "resume_writing"})
        self._hook("resume_writing")

    def _hook(self, name):
        step = self.hooks.pop(name, None)
        if step is not None:
            self.events.append({"hook": step.get("do", ""), "result": self.run.act(step)})


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
    def __init__(self, peer_sock):
        self.protocol = DiffProtocol(self)
        self.peer = Peer(peer_sock)
        self.transport = None
        self.app_sent = 0
        self.peer_sent = 0
        self.loop_exceptions = []

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


async def settle():
    for _ in range(SETTLE_ITERATIONS):
        await asyncio.sleep(0)


async def run_script(script):
    loop = asyncio.get_running_loop()
    app_sock, peer_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    if "sndbuf" in script:
        app_sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, script["sndbuf"])
    run = Run(peer_sock)
    loop.set_exception_handler(lambda _loop, context: run.protocol.events.append(
        {"loop_exception": kind_of(context.get("exception"))}))
    run.transport, _ = await loop.create_unix_connection(lambda: run.protocol, sock=app_sock)
    await settle()
    steps = []
    for step in script["steps"]:
        result = run.act(step)
        await settle()
        steps.append({"result": result, "closing": run.transport.is_closing(),
                      "buffer": run.transport.get_write_buffer_size(),
                      "peer_received": run.peer.received, "peer_eof": run.peer.eof,
                      "peer_error": run.peer.error})
        # A diagnosis only, not compared: 3.12+'s buffer of chunks holding nothing but empty
        # ones, which it can never send (gh-155888). Private, so looked up with care.
        chunks = getattr(run.transport, "_buffer", None)
        if chunks and run.transport.get_write_buffer_size() == 0:
            steps[-1]["stuck_empty_chunks"] = True
        # Another: the buffer is above the high-water mark and the protocol was never told to
        # pause (3.12 to 3.13.0's writelines does not call _maybe_pause_protocol).
        _, high = run.transport.get_write_buffer_limits()
        if not run.transport.is_closing() and run.transport.get_write_buffer_size() > high \
                and not run.protocol.paused:
            steps[-1]["over_high_unpaused"] = True
    if not run.protocol.lost:
        run.transport.abort()
        await settle()
    if run.peer.sock is not None:
        run.peer.sock.close()
    return {"events": run.protocol.events, "steps": steps}


def run(script):
    return asyncio.run(run_script(script))

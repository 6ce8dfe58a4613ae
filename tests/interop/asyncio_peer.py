#!/usr/bin/env python3
"""A TLS echo peer on CPython's own asyncio (sslproto over the ssl module), for loopcheck's
interop tests. Nothing here is loopcheck's code: it is the other end.

  asyncio_peer.py server PORTFILE CERT KEY VERSION   serve one client: echo until it closes
  asyncio_peer.py client PORT CAFILE VERSION BYTES [drop]
      send BYTES, read them all back, then close (close_notify), or with `drop`, abort the
      connection without close_notify once everything is back.

  asyncio_peer.py starttls-server PORTFILE CERT KEY VERSION
  asyncio_peer.py starttls-client PORT CAFILE VERSION BYTES
      the same echo, but the server first greets in plaintext ("220 ready to start TLS\r\n")
      and both sides upgrade with loop.start_tls.
  asyncio_peer.py startup-server PORTFILE CERT KEY COUNT
      a TLS 1.3 server speaking the driver's startup exchange of loopcheck's reactor (OPTIONS ->
      SUPPORTED, STARTUP -> READY, QUERY n -> RESULT n, a line each), for COUNT connections.

VERSION is 12 or 13. Exit 0 on success; the reason on stderr otherwise."""
import asyncio
import hashlib
import ssl
import sys

VERSIONS = {"12": ssl.TLSVersion.TLSv1_2, "13": ssl.TLSVersion.TLSv1_3}


def pin(context, version):
    context.minimum_version = VERSIONS[version]
    context.maximum_version = VERSIONS[version]
    return context


class Echo(asyncio.Protocol):
    def __init__(self, done):
        self.done = done
        self.transport = None
        self.early = b""

    def connection_made(self, transport):
        self.transport = transport
        if self.early:
            transport.write(self.early)
            self.early = b""

    def data_received(self, data):
        # After loop.start_tls, decrypted data can come before the await returns (asyncio reads
        # on the handshake's own turn): keep it until the app has its TLS transport.
        if self.transport is None:
            self.early += data
            return
        self.transport.write(data)

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(exc)


async def serve(portfile, cert, key, version):
    context = pin(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), version)
    context.load_cert_chain(cert, key)
    done = asyncio.get_running_loop().create_future()
    server = await asyncio.get_running_loop().create_server(lambda: Echo(done), "127.0.0.1", 0, ssl=context)
    with open(portfile, "w") as out:
        out.write(str(server.sockets[0].getsockname()[1]))
    exc = await asyncio.wait_for(done, 300)
    server.close()
    if exc is not None:
        sys.exit(f"server: connection_lost({exc!r})")


GREETING = b"220 ready to start TLS\r\n"


class Plain(asyncio.Protocol):
    """The plaintext phase: collects what arrives until start_tls takes the transport over."""

    def __init__(self, greeting):
        self.greeting = greeting
        self.received = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.received += data
        if len(self.received) >= len(GREETING) and not self.greeting.done():
            self.greeting.set_result(self.received)

    def connection_lost(self, exc):
        if not self.greeting.done():
            self.greeting.set_exception(exc or ConnectionResetError("closed before the greeting"))


async def starttls_serve(portfile, cert, key, version):
    context = pin(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), version)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    async def upgrade(transport):
        echo = Echo(done)
        tls = await loop.start_tls(transport, echo, context, server_side=True)
        echo.connection_made(tls)

    class Greeter(asyncio.Protocol):
        def connection_made(self, transport):
            transport.write(GREETING)
            loop.create_task(upgrade(transport))

    server = await loop.create_server(Greeter, "127.0.0.1", 0)
    with open(portfile, "w") as out:
        out.write(str(server.sockets[0].getsockname()[1]))
    exc = await asyncio.wait_for(done, 300)
    server.close()
    if exc is not None:
        sys.exit(f"starttls-server: connection_lost({exc!r})")


async def starttls_client(port, cafile, version, size):
    context = pin(ssl.create_default_context(cafile=cafile), version)
    loop = asyncio.get_running_loop()
    greeting = loop.create_future()
    transport, plain = await loop.create_connection(lambda: Plain(greeting), "127.0.0.1", port)
    got = await asyncio.wait_for(greeting, 30)
    if got != GREETING:
        sys.exit(f"starttls-client: the greeting was {got!r}")
    payload = pattern(size)
    done = loop.create_future()
    client = Client(payload, False, done)
    tls = await loop.start_tls(transport, client, context, server_hostname="localhost")
    client.connection_made(tls)
    exc = await asyncio.wait_for(done, 300)
    if bytes(client.received) != payload:
        sys.exit(f"starttls-client: {len(client.received)} bytes came back for {len(payload)} sent, or they differ")
    if exc is not None:
        sys.exit(f"starttls-client: connection_lost({exc!r})")
    print(f"starttls-client: {len(payload)} bytes echoed after start_tls")


class Startup(asyncio.Protocol):
    def __init__(self, finished):
        self.finished = finished
        self.inbox = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.inbox += data
        while b"\n" in self.inbox:
            line, self.inbox = self.inbox.split(b"\n", 1)
            if line == b"OPTIONS":
                self.transport.write(b"SUPPORTED\n")
            elif line == b"STARTUP":
                self.transport.write(b"READY\n")
            elif line.startswith(b"QUERY "):
                self.transport.write(b"RESULT " + line[6:] + b"\n")

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        self.finished(exc)


async def startup_serve(portfile, cert, key, count):
    context = pin(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), "13")
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    errors = []

    def finished(exc):
        if exc is not None:
            errors.append(exc)
        finished.count += 1
        if finished.count == count and not done.done():
            done.set_result(None)

    finished.count = 0
    server = await loop.create_server(lambda: Startup(finished), "127.0.0.1", 0, ssl=context)
    with open(portfile, "w") as out:
        out.write(str(server.sockets[0].getsockname()[1]))
    await asyncio.wait_for(done, 300)
    server.close()
    if errors:
        sys.exit(f"startup-server: {len(errors)} connection(s) ended with an error, first {errors[0]!r}")
    print(f"startup-server: {count} connection(s) served")


def pattern(size):
    block = bytes(i % 251 for i in range(251)) * (65536 // 251 + 2)
    out = bytearray()
    while len(out) < size:
        out += block[len(out) % 251:][: min(65536, size - len(out))]
    return bytes(out)


class Client(asyncio.Protocol):
    def __init__(self, payload, drop, done):
        self.payload, self.drop, self.done = payload, drop, done
        self.received = bytearray()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.payload)

    def data_received(self, data):
        self.received += data
        if len(self.received) >= len(self.payload):
            if self.drop:
                self.transport.abort()
            else:
                self.transport.close()

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(exc)


async def client_main(port, cafile, version, size, drop):
    context = pin(ssl.create_default_context(cafile=cafile), version)
    payload = pattern(size)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    client = Client(payload, drop, done)
    await loop.create_connection(lambda: client, "127.0.0.1", port, ssl=context, server_hostname="localhost")
    exc = await asyncio.wait_for(done, 300)
    if bytes(client.received[: len(payload)]) != payload or len(client.received) != len(payload):
        sys.exit(f"client: {len(client.received)} bytes came back for {len(payload)} sent, or they differ")
    if exc is not None and not drop:
        sys.exit(f"client: connection_lost({exc!r})")
    print(f"client: {len(payload)} bytes echoed, sha256 {hashlib.sha256(payload).hexdigest()[:16]}")


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "server":
        asyncio.run(serve(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
    elif len(sys.argv) >= 6 and sys.argv[1] == "starttls-server":
        asyncio.run(starttls_serve(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
    elif len(sys.argv) >= 6 and sys.argv[1] == "starttls-client":
        asyncio.run(starttls_client(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])))
    elif len(sys.argv) >= 6 and sys.argv[1] == "startup-server":
        asyncio.run(startup_serve(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    elif len(sys.argv) >= 6 and sys.argv[1] == "client":
        drop = len(sys.argv) > 6 and sys.argv[6] == "drop"
        asyncio.run(client_main(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), drop))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

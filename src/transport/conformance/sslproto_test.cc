// CPython 3.13's Lib/test/test_asyncio/test_sslproto.py against loopcheck's SSL protocol
// (src/tls/ssl_protocol.*, ssl_transport.*).
//
// Which 3.13: the test file and Lib/asyncio/sslproto.py of CPython 3.13.0 (as installed by pyenv
// on this machine, lib/python3.13), plus the one test the 3.13 branch added in 3.13.1,
// test_connection_lost_when_busy (gh-118950, PR 118960: _SSLProtocolTransport.is_closing() also
// asks the transport beneath). Behaviour asserted is that of 3.13.1+'s sslproto.py, which is
// 3.13.0's plus that fix.
//
// One TEST_F per CPython test, named after it, in a fixture named after its CPython class.
// CPython's SslProtoHandshakeTests drive SSLProtocol with a mocked sslobj and a mocked transport
// beneath; here the sslobj is a ScriptedTlsEngine (scripted_tls_engine.h, with the helper's
// defaults: do_handshake succeeds, read and write want more bytes, unwrap succeeds), the
// transport beneath is a RecordingTransport (below), and the loop is ManualLoop. The functional
// BaseStartTLS cases run a client and a server over loopback with threads; the ones whose SSL
// protocol behaviour can be reached without sockets are ported over a deterministic pair: two
// SslProtocols with sim_tls engines (TLS 1.3, PSK or certificates, seeded), each over a
// RecordingTransport, bytes moved between them by the test (Pair, below). Such a case asserts
// what the CPython test asserts about the SSL protocol, not about sockets or threads.
//
// CPython tests: SslProtoHandshakeTests 12 (11 in 3.13.0 + test_connection_lost_when_busy),
// BaseStartTLS 11, run twice (SelectorStartTLSTests; ProactorStartTLSTests, Windows only): 34 in
// all. Ported 16 (SslProtoHandshakeTests 9, SelectorStartTLSTests 7); skipped 18, one line each:
//   SslProtoHandshakeTests.test_handshake_timeout_zero: API cannot express: SSLProtocol() raises ValueError
//     ('a positive number') for ssl_handshake_timeout=0; SslProtocol's constructor cannot refuse, and
//     SslOptions is not checked anywhere (a difference: loopcheck arms a zero timer; see the report).
//   SslProtoHandshakeTests.test_handshake_timeout_negative: as test_handshake_timeout_zero, for -10.
//   SslProtoHandshakeTests.test_fatal_error_no_name_error: calls private _fatal_error(None) on a protocol
//     with no transport; a Python NameError regression (issue #363); no public path reaches it.
//   SelectorStartTLSTests.test_start_tls_client_reg_proto_1: real sockets and threads; covered by the
//     interop tests (interop.asyncio-starttls-server.tls12/13: loopcheck's start_tls client against a
//     CPython asyncio server); its SSLContext-collected check is Python GC.
//   SelectorStartTLSTests.test_create_connection_memory_leak: real sockets and threads; covered by the
//     interop tests (interop.asyncio-server.*: an SSL client against a CPython asyncio server); the
//     leak it checks is the SSLContext's refcount (weakref + gc), which has no C++ meaning.
//   SelectorStartTLSTests.test_start_tls_slow_client_cancel: missing feature: start_tls cannot be
//     cancelled (no wait_for / task cancellation); real sockets and threads.
//   SelectorStartTLSTests.test_start_tls_wrong_args: TypeError for non-SSLContext / a transport that is
//     not start_tls compatible: Python type checks.
//   ProactorStartTLSTests.* (11: the BaseStartTLS tests above on ProactorEventLoop): Windows only in
//     CPython (skipUnless ProactorEventLoop); the SSL protocol is the same object whatever the loop.
//
// C++ readings: "should not raise" becomes what 3.13 then does on that path (state, engine calls);
// a waiter future is an SslWaiter whose outcome is kept; `_get_extra_info(name, default)` has no
// default argument in loopcheck (std::nullopt stands for None).
// The brief's filter '*Ssl*:*ssl*' does not match SelectorStartTLSTests: run '*Ssl*:*StartTLS*'.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/world/sim_tls.h"
#include "src/core/bugs.h"
#include "src/core/protocol.h"
#include "src/core/tracer.h"
#include "src/core/transport.h"
#include "src/streams/stream_reader.h"
#include "src/streams/stream_writer.h"
#include "src/tls/certificates.h"
#include "src/tls/openssl_engine.h"
#include "src/tls/ssl_protocol.h"
#include "src/transport/conformance/scripted_sockets.h"
#include "src/transport/conformance/scripted_tls_engine.h"
#include "src/transport/conformance/test_loop.h"
#include "src/transport/selector_stream.h"
#include "src/transport/transport_context.h"

namespace loopcheck {
namespace conformance {
namespace {

constexpr std::int64_t kNowSeconds = 1800000000;  // 2027: inside the sim certificates' validity

// The transport beneath an SSL protocol: what CPython's mock.Mock() transport records, with a
// transport's own manners where the functional cases need them (close and force_close end in
// connection_lost on a later turn, once).
class RecordingTransport final : public Transport {
 public:
  explicit RecordingTransport(ManualLoop& loop) : loop_(loop) {}

  Status write(BytesView data) override {
    writes.emplace_back(data);
    return std::nullopt;
  }
  Status write_eof() override { return std::nullopt; }
  bool can_write_eof() const override { return true; }
  void close() override {
    ++closes;
    lose(std::nullopt);
  }
  void abort() override { force_close(std::nullopt); }
  void force_close(std::optional<Error> error) override {
    force_closes.push_back(error);
    lose(error);
  }
  bool is_closing() const override { return closing; }
  void pause_reading() override { reading = false; }
  void resume_reading() override { reading = true; }
  bool is_reading() const override { return reading; }
  Status set_write_buffer_limits(std::optional<std::size_t>, std::optional<std::size_t>) override {
    return std::nullopt;
  }
  WriteLimits get_write_buffer_limits() const override { return {65536, 16384}; }
  std::size_t get_write_buffer_size() const override { return 0; }
  void set_protocol(Protocol& p) override { protocol = &p; }
  Protocol& get_protocol() const override { return *protocol; }
  std::optional<std::string> get_extra_info(std::string_view name) const override {
    if (name == "socket") return "<socket fd=7>";
    return std::nullopt;
  }

  // Bytes written since the last call.
  Bytes take_written() {
    Bytes out;
    for (; taken_ < writes.size(); ++taken_) out += writes[taken_];
    return out;
  }

  Protocol* protocol = nullptr;
  std::vector<Bytes> writes;
  int closes = 0;
  std::vector<std::optional<Error>> force_closes;
  bool closing = false;
  bool reading = true;
  int lost_calls = 0;

 private:
  void lose(std::optional<Error> error) {
    if (closing) return;
    closing = true;
    loop_.call_soon(Tag{this, "connection_lost"}, [this, error] {
      ++lost_calls;
      if (protocol) protocol->connection_lost(error);
    });
  }
  ManualLoop& loop_;
  std::size_t taken_ = 0;
};

// An app protocol that records what the SSL protocol tells it.
class AppProbe : public Protocol {
 public:
  void connection_made(Transport& t) override {
    transport = &t;
    ++made;
    if (pause_when_made) t.pause_reading();
  }
  void data_received(BytesView data) override {
    received += data;
    ++data_calls;
  }
  bool eof_received() override {
    ++eofs;
    return false;
  }
  bool pause_when_made = false;  // an app not ready to read yet
  void connection_lost(std::optional<Error> error) override {
    ++lost;
    lost_error = error;
  }
  Transport* transport = nullptr;
  Bytes received;
  int made = 0, data_calls = 0, eofs = 0, lost = 0;
  std::optional<Error> lost_error;
};

// asyncio.BufferedProtocol lending `size` bytes each time.
class BufferedAppProbe final : public BufferedProtocol {
 public:
  explicit BufferedAppProbe(std::size_t size) : storage_(size, '\0') {}
  void connection_made(Transport&) override { ++made; }
  std::span<char> get_buffer(std::int64_t) override { return std::span<char>(storage_.data(), storage_.size()); }
  void buffer_updated(std::size_t nbytes) override {
    updates.push_back(nbytes);
    got += Bytes(storage_.data(), nbytes);
  }
  void connection_lost(std::optional<Error>) override { ++lost; }
  Bytes got;
  std::vector<std::size_t> updates;
  int made = 0, lost = 0;

 private:
  Bytes storage_;
};

// The waiter future: its outcome once woken (an engaged inner optional is an exception).
struct WaiterBox {
  bool done = false;
  std::optional<Error> error;
  SslWaiter waiter() {
    return [this](std::optional<Error> e) {
      done = true;
      error = std::move(e);
    };
  }
};

// Hands `data` to an SSL protocol as the transport beneath would (get_buffer, buffer_updated),
// at most one lent buffer at a time.
void deliver(SslProtocol& to, BytesView data) {
  while (!data.empty()) {
    std::span<char> buffer = to.get_buffer(static_cast<std::int64_t>(data.size()));
    std::size_t n = std::min(buffer.size(), data.size());
    std::memcpy(buffer.data(), data.data(), n);
    to.buffer_updated(n);
    data.remove_prefix(n);
  }
}

// Contract of SslProtoHandshakeTests: CPython's helpers. ssl_protocol() makes an SSL protocol
// over a ScriptedTlsEngine with ssl_handshake_timeout=0.1; connection_made() hands it the
// recording transport (the handshake runs at once, answered as the engine is scripted).
class SslProtoHandshakeTests : public ::testing::Test {
 protected:
  SslProtocol& ssl_protocol(Protocol& app, WaiterBox* waiter = nullptr, TlsStatus handshake = TlsStatus::ok) {
    auto engine = std::make_unique<ScriptedTlsEngine>();
    engine->handshake_answer = handshake;
    engines.push_back(engine.get());
    SslOptions options;
    options.handshake_timeout = 100 * kMillisecond;
    protocols.push_back(std::make_unique<SslProtocol>(SslContext{loop, bugs, tracer}, std::move(engine), app,
                                                      options, waiter ? waiter->waiter() : SslWaiter{}));
    SslProtocol& proto = *protocols.back();
    EXPECT_EQ(&proto.app_transport().get_protocol(), &app);
    return proto;
  }
  RecordingTransport& connection_made(SslProtocol& proto) {
    beneath.push_back(std::make_unique<RecordingTransport>(loop));
    RecordingTransport& t = *beneath.back();
    t.protocol = &proto;
    proto.connection_made(t);
    return t;
  }
  ScriptedTlsEngine& engine(std::size_t i = 0) { return *engines.at(i); }

  ManualLoop loop;
  BugSet bugs;
  NullTracer tracer;
  std::vector<std::unique_ptr<RecordingTransport>> beneath;
  std::vector<ScriptedTlsEngine*> engines;
  std::vector<std::unique_ptr<SslProtocol>> protocols;
};

// =============================================================================================
// SslProtoHandshakeTests
// =============================================================================================

// 3.13: eof_received during the handshake completes it with ConnectionResetError, which the
// waiter gets.
TEST_F(SslProtoHandshakeTests, test_eof_received_waiter) {
  AppProbe app;
  WaiterBox waiter;
  SslProtocol& proto = ssl_protocol(app, &waiter, TlsStatus::want_read);
  connection_made(proto);
  ASSERT_EQ(proto.state(), SslState::do_handshake);
  (void)proto.eof_received();
  loop.run_once();
  ASSERT_TRUE(waiter.done);
  ASSERT_TRUE(waiter.error);
  EXPECT_EQ(waiter.error->code, Errc::connection_reset) << waiter.error->describe();
}

// 3.13 (issue #472): connection_lost(exc) during the handshake wakes the waiter with exc.
TEST_F(SslProtoHandshakeTests, test_connection_lost) {
  AppProbe app;
  WaiterBox waiter;
  SslProtocol& proto = ssl_protocol(app, &waiter, TlsStatus::want_read);
  connection_made(proto);
  proto.connection_lost(make_error(Errc::connection_aborted, "ConnectionAbortedError"));
  loop.run_once();
  ASSERT_TRUE(waiter.done);
  ASSERT_TRUE(waiter.error);
  EXPECT_EQ(waiter.error->code, Errc::connection_aborted) << waiter.error->describe();
}

// 3.13.1 (gh-118950): a write whose send fails (BrokenPipeError) force-closes the socket
// transport; the app transport's is_closing() is then true (it asks the transport beneath), so
// StreamWriter.drain() yields once and the next write's drain raises ConnectionResetError.
// Built as CPython builds it: a selector socket transport over a socket whose send fails, the
// SSL protocol (mocked sslobj: handshake succeeds, read/write want more; mocked outgoing BIO that
// always hands out the message), a StreamReaderProtocol and a StreamWriter on the SSL transport.
// StreamWriter::drain is 3.13's: the reader's exception, then one loop turn when the transport
// is closing (asyncio.sleep(0)), then the protocol's _drain_helper.
TEST_F(SslProtoHandshakeTests, test_connection_lost_when_busy) {
  const Bytes data = "An interesting message";
  ScriptedSockets sock;
  sock.answer_sends(ScriptedSockets::fails(make_error(Errc::broken_pipe, "BrokenPipeError")));
  StreamReader reader(loop, 1 << 16);
  StreamReaderProtocol protocol(reader);
  SslProtocol& proto = ssl_protocol(protocol);
  engine().sticky_outgoing = data;
  SelectorStreamTransport socket_transport(TransportContext{loop, sock, bugs, tracer}, 12345, proto);
  loop.run_once();  // connection_made: the handshake completes, the app gets its transport
  ASSERT_EQ(proto.state(), SslState::wrapped);
  StreamWriter writer(loop, bugs, proto.app_transport(), protocol);

  // As an awaiting coroutine: the loop runs only until the drain is done, then the code after
  // the await goes on in the same turn.
  auto drain = [&](std::optional<std::optional<Error>>& out) {
    writer.drain([&out](std::optional<Error> e) { out = std::move(e); });
    for (int turns = 0; !out && turns < 10; ++turns) loop.run_once();
  };

  (void)writer.write(data);
  EXPECT_EQ(sock.count(ScriptedSockets::Op::send), 1) << "the SSL protocol's output reached the socket";
  EXPECT_TRUE(proto.app_transport().is_closing())
      << "3.13.1: the SSL transport is closing once the transport beneath is (gh-118950)";
  std::optional<std::optional<Error>> first;
  drain(first);
  ASSERT_TRUE(first);
  EXPECT_FALSE(*first) << "the first write's drain succeeds";

  (void)writer.write(data);
  std::optional<std::optional<Error>> second;
  drain(second);
  ASSERT_TRUE(second) << "drain never finished";
  ASSERT_TRUE(*second) << "3.13.1: the second drain raises ConnectionResetError; loopcheck's drained without error";
  EXPECT_EQ((*second)->code, Errc::connection_reset) << (*second)->describe();
}

// x313 (no CPython test; sslproto-paused-finished, docs/FINDINGS.md): the handshake's last
// step leaves bytes in the outgoing BIO (a TLS 1.3 client's Finished) and the app pauses
// reading in connection_made. 3.13 sends them only from the _do_read that follows, which a
// paused app skips; the fixed side sends them as the handshake completes.
TEST_F(SslProtoHandshakeTests, x313_handshake_flight_leaves_though_the_app_pauses) {
  for (bool bug : {false, true}) {
    SCOPED_TRACE(bug ? "sslproto-paused-finished on (3.13)" : "fixed");
    bugs.set(Bug::sslproto_paused_finished, bug);
    AppProbe app;
    app.pause_when_made = true;
    SslProtocol& proto = ssl_protocol(app, nullptr, TlsStatus::want_read);
    RecordingTransport& transport = connection_made(proto);
    ScriptedTlsEngine& tls = *engines.back();
    tls.handshake_answer = TlsStatus::ok;
    tls.queue_outgoing("FINISHED");
    std::span<char> buffer = proto.get_buffer(-1);
    std::memcpy(buffer.data(), "server flight", 13);
    proto.buffer_updated(13);  // the handshake completes; the app pauses in connection_made
    ASSERT_EQ(app.made, 1);
    bool sent = std::find(transport.writes.begin(), transport.writes.end(), Bytes("FINISHED")) != transport.writes.end();
    EXPECT_EQ(sent, !bug);
    EXPECT_EQ(proto.held_outgoing(), bug ? 8u : 0u);
  }
}

// 3.13 (bpo-29743): close() on the app transport during the handshake force-closes the
// transport beneath (_abort -> transport._force_close).
TEST_F(SslProtoHandshakeTests, test_close_during_handshake) {
  AppProbe app;
  WaiterBox waiter;
  SslProtocol& proto = ssl_protocol(app, &waiter, TlsStatus::want_read);
  RecordingTransport& transport = connection_made(proto);
  loop.run_once();
  proto.app_transport().close();
  EXPECT_EQ(transport.force_closes.size(), 1u) << "transport._force_close not called";
  EXPECT_EQ(transport.closes, 0);
}

// 3.13 (gh-113214): an SSL protocol that is the app protocol of another. Closing the outer app
// transport flushes and shuts down; the outer's eof_received reaches the inner protocol in its
// handshake, whose failure force-closes its transport (the outer's app transport), which aborts
// the outer. Nothing reaches the loop's exception handler. (That the abort does reach the
// transport beneath, as _force_close, is 3.13's path too, asserted so the case can fail.)
TEST_F(SslProtoHandshakeTests, test_close_during_ssl_over_ssl) {
  AppProbe app;
  SslProtocol& inner = ssl_protocol(app, nullptr, TlsStatus::want_read);  // a real sslobj: wants the peer
  SslProtocol& outer = ssl_protocol(inner);
  RecordingTransport& transport = connection_made(outer);
  ASSERT_EQ(outer.state(), SslState::wrapped);
  ASSERT_EQ(inner.state(), SslState::do_handshake) << "the outer's connection_made started the inner's handshake";
  outer.app_transport().close();
  loop.run_until_idle();
  EXPECT_TRUE(loop.exceptions.empty()) << loop.exceptions.front().message;
  ASSERT_EQ(transport.force_closes.size(), 1u) << "the inner's handshake failure aborts the outer";
  ASSERT_TRUE(transport.force_closes[0]);
  EXPECT_EQ(transport.force_closes[0]->code, Errc::connection_reset);
}

// 3.13: _get_extra_info('socket') is None before connection_made, the transport beneath's
// answer while connected, and None again after connection_lost. (The `default` half has no
// C++ form: get_extra_info has no default argument.)
TEST_F(SslProtoHandshakeTests, test_get_extra_info_on_closed_connection) {
  AppProbe app;
  WaiterBox waiter;
  SslProtocol& proto = ssl_protocol(app, &waiter);
  EXPECT_FALSE(proto.extra_info("socket"));
  connection_made(proto);
  EXPECT_TRUE(proto.extra_info("socket"));
  proto.connection_lost(std::nullopt);
  EXPECT_FALSE(proto.extra_info("socket"));
}

// 3.13: set_protocol on the app transport replaces the SSL protocol's app protocol.
TEST_F(SslProtoHandshakeTests, test_set_new_app_protocol) {
  AppProbe app, new_app;
  WaiterBox waiter;
  SslProtocol& proto = ssl_protocol(app, &waiter);
  proto.app_transport().set_protocol(new_app);
  EXPECT_EQ(&proto.app_transport().get_protocol(), &new_app);
  EXPECT_EQ(&proto.app_protocol(), &new_app);
}

// 3.13: buffer_updated after close() does not raise: the protocol is in SHUTDOWN (the helper's
// unwrap succeeded), the bytes go to the incoming BIO and _do_shutdown runs again; nothing
// reaches the app.
TEST_F(SslProtoHandshakeTests, test_data_received_after_closing) {
  AppProbe app;
  SslProtocol& proto = ssl_protocol(app);
  connection_made(proto);
  proto.app_transport().close();
  ASSERT_EQ(proto.state(), SslState::shutdown);
  const int shutdowns = engine().shutdowns;
  std::span<char> buffer = proto.get_buffer(-1);
  std::memcpy(buffer.data(), "\0\0\0\0\0", 5);
  proto.buffer_updated(5);
  EXPECT_EQ(engine().fed, Bytes(5, '\0'));
  EXPECT_EQ(engine().shutdowns, shutdowns + 1) << "_do_shutdown runs again";
  EXPECT_EQ(proto.state(), SslState::shutdown);
  EXPECT_EQ(app.data_calls, 0);
}

// 3.13: write() after close() returns None and drops the data (logged past a threshold).
// DELIBERATE DIFFERENCE (docs/FIDELITY.md): loopcheck's write() returns Errc::closed there
// ("Errors are values"); the data is dropped all the same: it reaches neither the engine nor the
// transport beneath.
TEST_F(SslProtoHandshakeTests, test_write_after_closing) {
  AppProbe app;
  SslProtocol& proto = ssl_protocol(app);
  RecordingTransport& transport = connection_made(proto);
  proto.app_transport().close();
  const int writes = engine().writes;
  const std::size_t sent = transport.writes.size();
  Status status = proto.app_transport().write("data");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::closed);
  EXPECT_EQ(engine().writes, writes);
  EXPECT_EQ(transport.writes.size(), sent);
}

// =============================================================================================
// SelectorStartTLSTests (BaseStartTLS)
// =============================================================================================

// Two SSL protocols with sim_tls engines, each over a RecordingTransport; pump() moves what each
// wrote to the other and runs the loop, until nothing moves. close_*/eof_* act as a peer's TCP
// would (an EOF: eof_received, then the transport closes itself unless told to keep it).
struct Side {
  std::unique_ptr<RecordingTransport> transport;
  std::unique_ptr<SslProtocol> protocol;
  WaiterBox waiter;
};

class SelectorStartTLSTests : public ::testing::Test {
 protected:
  static TlsClock clock() {
    return [] { return kNowSeconds; };
  }
  std::unique_ptr<TlsEngine> psk(bool server, std::uint64_t seed) {
    std::string error;
    auto e = make_sim_engine(SimTls::psk, server, seed, clock(), error);
    EXPECT_TRUE(e) << error;
    return e;
  }
  void make(Side& side, std::unique_ptr<TlsEngine> engine, Protocol& app, SslOptions options) {
    side.transport = std::make_unique<RecordingTransport>(loop);
    side.protocol = std::make_unique<SslProtocol>(SslContext{loop, bugs, tracer}, std::move(engine), app, options,
                                                  side.waiter.waiter());
    side.transport->protocol = side.protocol.get();
    side.protocol->connection_made(*side.transport);
  }
  void pump(int rounds = 200) {
    for (int i = 0; i < rounds; ++i) {
      bool moved = false;
      for (auto [from, to] : {std::pair{&client, &server}, std::pair{&server, &client}}) {
        if (!from->transport || !to->protocol) continue;
        Bytes bytes = from->transport->take_written();
        if (!bytes.empty() && !to->transport->closing) {
          deliver(*to->protocol, bytes);
          moved = true;
        }
      }
      moved = loop.run_until_idle() > 0 || moved;
      if (!moved) return;
    }
  }
  // The peer's TCP FIN reaches `side`.
  void eof(Side& side) {
    if (!side.protocol->eof_received()) side.transport->close();
  }

  ManualLoop loop;
  BugSet bugs;
  NullTracer tracer;
  Side client, server;
};

// 3.13's _feed_data_to_buffered_proto (loopcheck's feed_buffered): data reaches a
// BufferedProtocol whole whatever the size of the buffers it lends (1, 2, 4, 100); an empty buffer
// is a RuntimeError ('empty buffer'), here false. (The memoryview/bytearray loop has one C++ form.)
TEST_F(SelectorStartTLSTests, test_buf_feed_data) {
  struct Case {
    std::size_t size;
    Bytes data;
  };
  for (const Case& c : {Case{1, "12345"}, Case{2, "12345"}, Case{2, "1234"}, Case{4, "1234"}, Case{100, "12345"}}) {
    BufferedAppProbe proto(c.size);
    EXPECT_TRUE(feed_buffered(proto, c.data)) << c.size;
    EXPECT_EQ(proto.got, c.data) << "buffer of " << c.size;
  }
  BufferedAppProbe empty(0);
  EXPECT_FALSE(feed_buffered(empty, "12345")) << "an empty buffer must be refused";
}

// 3.13: start_tls (call_connection_made=False) with a BufferedProtocol lending 1 byte: the
// server's b'O' arrives as buffer_updated(1); after set_protocol to a plain Protocol, b'2'
// arrives as data_received; the server's shutdown reaches eof_received; the client's HELLOs
// reach the server; the SSL protocol calls connection_made on neither app protocol.
TEST_F(SelectorStartTLSTests, test_start_tls_client_buf_proto_1) {
  const Bytes hello(1024 * 100, '1');
  BufferedAppProbe first(1);
  AppProbe second, server_app;
  SslOptions start_tls;
  start_tls.call_connection_made = false;
  make(client, psk(false, 1), first, start_tls);
  SslOptions server_side;
  server_side.server_side = true;
  make(server, psk(true, 2), server_app, server_side);
  pump();
  ASSERT_TRUE(client.waiter.done);
  ASSERT_FALSE(client.waiter.error) << client.waiter.error->describe();
  ASSERT_EQ(server_app.made, 1);

  ASSERT_FALSE(server_app.transport->write("O"));
  pump();
  EXPECT_EQ(first.got, "O");
  EXPECT_EQ(first.updates, std::vector<std::size_t>{1});
  ASSERT_FALSE(client.protocol->app_transport().write(hello));
  client.protocol->app_transport().set_protocol(second);
  pump();
  EXPECT_EQ(server_app.received.size(), hello.size());

  ASSERT_FALSE(server_app.transport->write("2"));
  pump();
  EXPECT_EQ(second.received, "2");
  EXPECT_EQ(first.got, "O") << "nothing more for the first protocol";
  ASSERT_FALSE(client.protocol->app_transport().write(hello));
  pump();
  EXPECT_EQ(server_app.received.size(), 2 * hello.size());

  // sock.shutdown(SHUT_RDWR); sock.close(): a TCP EOF, no close_notify.
  eof(client);
  pump();
  EXPECT_EQ(second.eofs, 1) << "on_eof";
  EXPECT_EQ(first.made + second.made, 0) << "start_tls does not call connection_made";
  client.protocol->app_transport().close();
  pump();
}

// 3.13: a server-side start_tls (call_connection_made=False): the client's HELLO (100 KiB)
// reaches data_received whole and nothing before the upgrade; the server's answer reaches the
// client; the client's close (a TCP EOF) ends in connection_lost(None).
TEST_F(SelectorStartTLSTests, test_start_tls_server_1) {
  const Bytes hello(1024 * 100, '1');
  AppProbe proto, client_app;
  SslOptions start_tls;
  start_tls.server_side = true;
  start_tls.call_connection_made = false;
  make(server, psk(true, 3), proto, start_tls);
  make(client, psk(false, 4), client_app, SslOptions{});
  pump();
  ASSERT_TRUE(server.waiter.done);
  ASSERT_FALSE(server.waiter.error) << server.waiter.error->describe();
  EXPECT_EQ(proto.received, "");

  ASSERT_FALSE(client_app.transport->write(hello));
  pump();
  EXPECT_EQ(proto.received, hello);  // on_got_hello
  ASSERT_FALSE(server.protocol->app_transport().write("answer"));
  pump();
  EXPECT_EQ(client_app.received, "answer");

  eof(server);  // the client's sock.close()
  pump();
  EXPECT_EQ(proto.lost, 1);
  EXPECT_FALSE(proto.lost_error) << proto.lost_error->describe();
  EXPECT_EQ(proto.made, 0);
}

// 3.13 (bpo-29970): a handshake nobody answers. The caller gives up first (wait_for, 0.5 s,
// before the handshake timeout) and closes the transport (_create_connection_transport's
// except: transport.close()): the peer sees the connection end, no exception reaches the loop's
// handler, and the handshake timeout is cancelled (the SSLContext can be collected at once).
TEST_F(SelectorStartTLSTests, test_handshake_timeout) {
  AppProbe app;
  SslOptions options;
  options.handshake_timeout = 10 * kSecond;  // support.SHORT_TIMEOUT's role: longer than the wait
  make(client, psk(false, 5), app, options);
  EXPECT_FALSE(client.transport->take_written().empty()) << "the ClientHello";
  loop.advance_to(500 * kMillisecond);
  ASSERT_FALSE(client.waiter.done);
  client.transport->close();  // the cancelled create_connection closes its transport
  loop.run_until_idle();
  EXPECT_TRUE(client.transport->closing) << "server_side_aborted";
  EXPECT_TRUE(loop.exceptions.empty()) << loop.exceptions.front().message;
  EXPECT_EQ(loop.live_timers(), 0u) << "the handshake timeout is still armed";
  EXPECT_EQ(app.made, 0);
  EXPECT_EQ(app.lost, 0);
}

// 3.13: ssl_handshake_timeout=1.0 against a server that never answers: the waiter (so
// open_connection) fails with ConnectionAbortedError 'SSL handshake ... is taking longer', and
// nothing reaches the loop's exception handler.
TEST_F(SelectorStartTLSTests, test_create_connection_ssl_slow_handshake) {
  AppProbe app;
  SslOptions options;
  options.handshake_timeout = 1 * kSecond;
  make(client, psk(false, 6), app, options);
  loop.run_until_idle();
  ASSERT_FALSE(client.waiter.done);
  loop.advance_to(1 * kSecond);
  loop.run_until_idle();
  ASSERT_TRUE(client.waiter.done);
  ASSERT_TRUE(client.waiter.error);
  EXPECT_EQ(client.waiter.error->code, Errc::connection_aborted) << client.waiter.error->describe();
  const std::string& message = client.waiter.error->message;
  const std::size_t at = message.find("SSL handshake");
  EXPECT_TRUE(at != std::string::npos && message.find("is taking longer", at) != std::string::npos) << message;
  EXPECT_TRUE(loop.exceptions.empty()) << loop.exceptions.front().message;
  EXPECT_EQ(app.made, 0);
}

// 3.13: a client that verifies (disable_verify=False) against a server whose certificate its CA
// did not sign: the waiter (so open_connection) fails with ssl.SSLCertVerificationError, an
// SSLError (Errc::tls).
TEST_F(SelectorStartTLSTests, test_create_connection_ssl_failed_certificate) {
  std::string error;
  CertificateRequest server_request, other_request;
  other_request.seed = 2;  // another CA, which the client trusts instead
  auto server_certs = make_certificates(server_request, error);
  ASSERT_TRUE(server_certs) << error;
  auto other_certs = make_certificates(other_request, error);
  ASSERT_TRUE(other_certs) << error;
  TlsCertConfig server_config;
  server_config.server = true;
  server_config.cert_pem = server_certs->cert;
  server_config.key_pem = server_certs->key;
  server_config.seed = 7;
  server_config.now_seconds = clock();
  TlsCertConfig client_config;
  client_config.ca_pem = other_certs->ca_cert;
  client_config.server_hostname = "localhost";
  client_config.seed = 8;
  client_config.now_seconds = clock();
  auto server_engine = OpenSslEngine::create_cert(server_config, error);
  ASSERT_TRUE(server_engine) << error;
  auto client_engine = OpenSslEngine::create_cert(client_config, error);
  ASSERT_TRUE(client_engine) << error;

  AppProbe client_app, server_app;
  SslOptions server_side;
  server_side.server_side = true;
  make(server, std::move(server_engine), server_app, server_side);
  make(client, std::move(client_engine), client_app, SslOptions{});
  pump();
  ASSERT_TRUE(client.waiter.done);
  ASSERT_TRUE(client.waiter.error) << "the handshake succeeded against an untrusted certificate";
  EXPECT_EQ(client.waiter.error->code, Errc::tls) << client.waiter.error->describe();
  EXPECT_EQ(client_app.made, 0);
}

// 3.13: after the handshake and an exchange (b'A\n' one way, b'B' the other), bytes that are no
// TLS record reach the client: the read fails with ssl.SSLError, which the app sees as the
// connection's error (reader.readline() raises it).
TEST_F(SelectorStartTLSTests, test_start_tls_client_corrupted_ssl) {
  AppProbe client_app, server_app;
  SslOptions server_side;
  server_side.server_side = true;
  make(server, psk(true, 9), server_app, server_side);
  make(client, psk(false, 10), client_app, SslOptions{});
  pump();
  ASSERT_FALSE(client.waiter.error);
  ASSERT_FALSE(server_app.transport->write("A\n"));
  pump();
  EXPECT_EQ(client_app.received, "A\n");
  ASSERT_FALSE(client_app.transport->write("B"));
  pump();
  EXPECT_EQ(server_app.received, "B");

  deliver(*client.protocol, "please corrupt the SSL connection");  // orig_sock.send, beside TLS
  loop.run_until_idle();
  EXPECT_EQ(client_app.received, "A\n");
  ASSERT_EQ(client_app.lost, 1) << "the SSL error never reached the app";
  ASSERT_TRUE(client_app.lost_error);
  EXPECT_EQ(client_app.lost_error->code, Errc::tls) << client_app.lost_error->describe();
}

}  // namespace
}  // namespace conformance
}  // namespace loopcheck

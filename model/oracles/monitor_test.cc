// Every oracle fires on a hand-made bad sequence, and stays quiet when it is switched off.
#include "model/oracles/monitor.h"

#include <gtest/gtest.h>

#include "model/engines/choice_sources.h"
#include "model/world/sim_poller.h"
#include "model/world/state_fingerprint.h"

namespace loopcheck {
namespace {

// A transport double whose state the test sets directly.
class FakeTransport final : public Transport {
 public:
  Status write(BytesView) override { return std::nullopt; }
  Status write_eof() override { return std::nullopt; }
  bool can_write_eof() const override { return true; }
  void close() override {}
  void abort() override {}
  void force_close(std::optional<Error>) override {}
  bool is_closing() const override { return closing; }
  void pause_reading() override {}
  void resume_reading() override {}
  bool is_reading() const override { return reading; }
  Status set_write_buffer_limits(std::optional<std::size_t>, std::optional<std::size_t>) override {
    return std::nullopt;
  }
  WriteLimits get_write_buffer_limits() const override { return limits; }
  std::size_t get_write_buffer_size() const override { return buffer; }
  void set_protocol(Protocol&) override {}
  Protocol& get_protocol() const override { return *protocol; }
  std::optional<std::string> get_extra_info(std::string_view) const override { return std::nullopt; }
  bool closing = false;
  bool reading = true;
  std::size_t buffer = 0;
  WriteLimits limits{100, 25};
  Protocol* protocol = nullptr;
};

class FakeDatagramTransport final : public DatagramTransport {
 public:
  Status sendto(BytesView, const Address&) override { return std::nullopt; }
  void close() override { closing = true; }
  void abort() override { closing = true; }
  bool is_closing() const override { return closing; }
  Status set_write_buffer_limits(std::optional<std::size_t>, std::optional<std::size_t>) override {
    return std::nullopt;
  }
  WriteLimits get_write_buffer_limits() const override { return {100, 25}; }
  std::size_t get_write_buffer_size() const override { return 0; }
  void set_protocol(DatagramProtocol&) override {}
  DatagramProtocol& get_protocol() const override { return *protocol; }
  std::optional<std::string> get_extra_info(std::string_view) const override { return std::nullopt; }
  bool closing = false;
  DatagramProtocol* protocol = nullptr;
};

struct NullProtocol final : Protocol {
  void connection_made(Transport&) override {}
  void data_received(BytesView) override {}
  void connection_lost(std::optional<Error>) override {}
};

struct NullDatagramProtocol final : DatagramProtocol {
  void connection_made(DatagramTransport&) override {}
  void datagram_received(BytesView, const Address&) override {}
  void error_received(const Error&) override {}
  void connection_lost(std::optional<Error>) override {}
};

struct FixedPeer final : StreamPeerView {
  const Bytes& sent() const override { return sent_bytes; }
  const Bytes& received() const override { return received_bytes; }
  bool reads_to_eof() const override { return true; }
  Bytes sent_bytes;
  Bytes received_bytes;
};

struct OracleFixture : ::testing::Test {
  Monitor& monitor(OracleSet oracles = OracleSet::all()) {
    monitor_ = std::make_unique<Monitor>(oracles, tracer, &kernel, loop);
    return *monitor_;
  }
  ObservedStream& stream(Monitor& m, int fd = 100, bool completion_mode = false) {
    ObservedStream& s = m.observe_stream(app, fd, &peer, completion_mode ? StreamKind::proactor : StreamKind::selector);
    s.set_owner(&transport);
    s.connection_made(transport);
    return s;
  }
  Oracle fired() const {
    EXPECT_TRUE(monitor_->violated());
    return monitor_->violated() ? monitor_->violation()->oracle : Oracle::kCount;
  }

  SimClock clock;
  PrefixChoiceSource choices{{}};
  NullTracer tracer;
  FakeKernel kernel{clock, choices, tracer};
  SimPoller poller{kernel};
  EventLoop loop{clock, poller, choices, tracer};
  std::unique_ptr<Monitor> monitor_;
  NullProtocol app;
  FakeTransport transport;
  FixedPeer peer;
};

TEST_F(OracleFixture, O1ConnectionLostTwice) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  s.connection_lost(std::nullopt);
  EXPECT_FALSE(m.violated());
  s.connection_lost(std::nullopt);
  EXPECT_EQ(fired(), Oracle::O1);
}

TEST_F(OracleFixture, O1DataReceivedWhileReadingIsPaused) {
  Monitor& m = monitor();
  peer.sent_bytes = "abc";
  ObservedStream& s = stream(m);
  s.pause_reading();
  s.data_received("abc");
  EXPECT_EQ(fired(), Oracle::O1);
}

TEST_F(OracleFixture, O1TransportCallbackAfterConnectionLost) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  m.on_callback(Tag{&transport, "read_ready"});
  EXPECT_FALSE(m.violated());
  s.connection_lost(std::nullopt);
  m.on_callback(Tag{&transport, "read_ready"});
  EXPECT_EQ(fired(), Oracle::O1);
  EXPECT_NE(m.violation()->message.find("read_ready ran after connection_lost"), std::string::npos);
}

// asyncio's selector transport removes its reader at close(): no read callback may follow.
TEST_F(OracleFixture, O1DataReceivedAfterCloseOnASelectorStream) {
  Monitor& m = monitor();
  peer.sent_bytes = "abc";
  ObservedStream& s = stream(m);
  s.close();
  transport.closing = true;
  s.data_received("abc");
  EXPECT_EQ(fired(), Oracle::O1);
  EXPECT_NE(m.violation()->message.find("data_received after close()"), std::string::npos);
}

// asyncio's proactor transport still delivers a recv that completed before close(); after
// abort() it must not.
TEST_F(OracleFixture, O1ProactorReadsAfterCloseAreAsyncioAndAfterAbortAreNot) {
  Monitor& m = monitor();
  peer.sent_bytes = "abcdef";
  ObservedStream& s = stream(m, 100, /*completion_mode=*/true);
  s.close();
  transport.closing = true;
  s.data_received("abc");
  EXPECT_FALSE(m.violated());
  s.abort();
  s.data_received("def");
  EXPECT_EQ(fired(), Oracle::O1);
  EXPECT_NE(m.violation()->message.find("data_received after abort()"), std::string::npos);
}

TEST_F(OracleFixture, O1FlowControlCallbackAfterAbort) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  transport.buffer = 200;
  s.abort();
  s.pause_writing();
  EXPECT_EQ(fired(), Oracle::O1);
  EXPECT_NE(m.violation()->message.find("pause_writing after abort()"), std::string::npos);
}

TEST_F(OracleFixture, O2BytesThatThePeerNeverSentThere) {
  Monitor& m = monitor();
  peer.sent_bytes = "abcdef";
  ObservedStream& s = stream(m);
  s.data_received("abc");
  EXPECT_FALSE(m.violated());
  s.data_received("xyz");
  EXPECT_EQ(fired(), Oracle::O2);
}

TEST_F(OracleFixture, O2EofBeforeEveryByte) {
  Monitor& m = monitor();
  peer.sent_bytes = "abcdef";
  ObservedStream& s = stream(m);
  s.data_received("abc");
  (void)s.eof_received();
  EXPECT_EQ(fired(), Oracle::O2);
}

TEST_F(OracleFixture, O2PeerMissesBytesAfterAGracefulClose) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  (void)s.write("hello");
  s.close();
  transport.closing = true;
  s.connection_lost(std::nullopt);
  peer.received_bytes = "hel";
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O2);
}

TEST_F(OracleFixture, O3PauseWritingBelowTheHighMark) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  transport.buffer = 10;
  s.pause_writing();
  EXPECT_EQ(fired(), Oracle::O3);
}

TEST_F(OracleFixture, O3ResumeWithoutPause) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  s.resume_writing();
  EXPECT_EQ(fired(), Oracle::O3);
}

TEST_F(OracleFixture, O4CloseThatNeverReachesConnectionLost) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  s.close();
  transport.closing = true;
  m.check_end(false);
  EXPECT_FALSE(m.violated()) << "liveness is judged only at quiescence";
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O4);
}

TEST_F(OracleFixture, O4OpenObligation) {
  Monitor& m = monitor();
  int id = m.open_obligation("the reply arrives");
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O4);
  EXPECT_NE(m.violation()->message.find("the reply arrives"), std::string::npos);
  Monitor& again = monitor();
  again.discharge(again.open_obligation("x"));
  again.check_end(true);
  EXPECT_FALSE(again.violated());
  (void)id;
}

TEST_F(OracleFixture, O5FdStillOpenAtTheEnd) {
  Monitor& m = monitor();
  (void)kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O5);
}

TEST_F(OracleFixture, O5ReaderLeftRegistered) {
  Monitor& m = monitor();
  (void)loop.add_reader(42, {nullptr, "r"}, [] {});
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O5);
}

TEST_F(OracleFixture, O5TimerOfALostTransportStillLive) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  TimerHandle keepalive = loop.call_later(kSecond, Tag{&transport, "keepalive"}, [] {});
  m.check_step();
  EXPECT_FALSE(m.violated());
  s.connection_lost(std::nullopt);
  transport.closing = true;
  transport.reading = false;
  m.check_step();
  EXPECT_EQ(fired(), Oracle::O5);
  keepalive.cancel();
}

TEST_F(OracleFixture, O6SocketErrorThatNeverReachesTheProtocol) {
  Monitor& m = monitor();
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::peer, Owner::peer, "a", "b");
  ASSERT_FALSE(kernel.close(a));
  ASSERT_FALSE(kernel.recv(a, 1).ok());  // EBADF, counted against fd a
  ObservedStream& s = stream(m, a);
  transport.closing = true;
  s.connection_lost(std::nullopt);  // ...but reported as a clean loss
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O6);
  (void)b;
}

TEST_F(OracleFixture, O7IsClosingFalseAfterClose) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  s.close();
  m.check_step();
  EXPECT_EQ(fired(), Oracle::O7);
}

TEST_F(OracleFixture, O7IsReadingAfterPauseReading) {
  Monitor& m = monitor();
  ObservedStream& s = stream(m);
  m.check_step();
  EXPECT_FALSE(m.violated());
  s.pause_reading();
  transport.reading = false;
  m.check_step();
  EXPECT_FALSE(m.violated());
  s.resume_reading();  // the transport forgets to start reading again
  m.check_step();
  EXPECT_EQ(fired(), Oracle::O7);
  EXPECT_NE(m.violation()->message.find("is_reading() is false with reading never paused"), std::string::npos);
}

TEST_F(OracleFixture, O7WriteBufferSizeThatIsNotWhatWasWrittenLessWhatWasSent) {
  Monitor& m = monitor();
  auto [fd, other] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  (void)other;
  ObservedStream& s = stream(m, fd);
  ASSERT_FALSE(s.write("0123456789"));
  ASSERT_EQ(kernel.send(fd, "0123").value(), 4u);  // what the transport handed the kernel
  transport.buffer = 6;
  m.check_step();
  EXPECT_FALSE(m.violated());
  transport.buffer = 10;  // it forgot the bytes the kernel took
  m.check_step();
  EXPECT_EQ(fired(), Oracle::O7);
  EXPECT_NE(m.violation()->message.find("get_write_buffer_size() is 10"), std::string::npos);
}

// A proactor send in flight counts after the kernel took it (as asyncio's figure does), so its
// buffer may lie between the unsent bytes and all that write() accepted, but not outside.
TEST_F(OracleFixture, O7ProactorWriteBufferSizeOutsideItsBounds) {
  Monitor& m = monitor();
  auto [fd, other] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  (void)other;
  ObservedStream& s = stream(m, fd, /*completion_mode=*/true);
  ASSERT_FALSE(s.write("0123456789"));
  ASSERT_EQ(kernel.send(fd, "0123").value(), 4u);
  transport.buffer = 10;  // all of it: the send of 4 is still in flight
  m.check_step();
  EXPECT_FALSE(m.violated());
  transport.buffer = 5;  // fewer than the 6 bytes the kernel has not taken
  m.check_step();
  EXPECT_EQ(fired(), Oracle::O7);
}

TEST_F(OracleFixture, O10DatagramsQueuedBeforeCloseNeverDelivered) {
  Monitor& m = monitor();
  int server = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "/s");
  int client = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  ASSERT_TRUE(kernel.sendto(client, "1", "/s").ok());
  ASSERT_TRUE(kernel.sendto(client, "2", "/s").ok());
  NullDatagramProtocol dgram_app;
  FakeDatagramTransport dgram_transport;
  ObservedDatagram& d = m.observe_datagram(dgram_app, server);
  d.connection_made(dgram_transport);
  d.close();
  d.connection_lost(std::nullopt);
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O10);
}

TEST_F(OracleFixture, ASwitchedOffOracleNeverFires) {
  OracleSet oracles = OracleSet::all();
  oracles.set(Oracle::O1, false);
  Monitor& m = monitor(oracles);
  ObservedStream& s = stream(m);
  s.connection_lost(std::nullopt);
  s.connection_lost(std::nullopt);
  EXPECT_FALSE(m.violated());
}

}  // namespace
}  // namespace loopcheck

namespace loopcheck {
namespace {

// O8 judges each move an SSL protocol reports against asyncio's edges, for both machines.
TEST_F(OracleFixture, O8AcceptsTheSslEdgesAndFlagsAnyOther) {
  Monitor& m = monitor();
  m.on_ssl_state(nullptr, SslState::unwrapped, SslState::do_handshake);
  m.on_ssl_state(nullptr, SslState::do_handshake, SslState::wrapped);
  m.on_ssl_state(nullptr, SslState::wrapped, SslState::flushing);
  m.on_ssl_state(nullptr, SslState::flushing, SslState::shutdown);
  m.on_ssl_state(nullptr, SslState::shutdown, SslState::unwrapped);
  m.on_app_state(nullptr, AppState::init, AppState::con_made);
  m.on_app_state(nullptr, AppState::con_made, AppState::con_lost);
  EXPECT_FALSE(m.violated());
  m.on_ssl_state(nullptr, SslState::unwrapped, SslState::shutdown);
  EXPECT_EQ(fired(), Oracle::O8);
}

// O6 over TLS: a failure the SSL protocol raised must reach the app's connection_lost, or the
// handshake's waiter when the app never had a connection.
TEST_F(OracleFixture, O6FlagsATlsFailureThatReachedNobody) {
  Monitor& m = monitor();
  ObservedStream& s = m.observe_stream(app, 100, &peer, StreamKind::ssl);
  s.set_owner(&transport);
  s.connection_made(transport);
  m.on_tls_error(&transport, make_error(Errc::tls, "decryption failed or bad record mac"));
  s.connection_lost(std::nullopt);
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O6);
}

TEST_F(OracleFixture, O6AcceptsATlsFailureInConnectionLostOrTheWaiter) {
  Monitor& m = monitor();
  ObservedStream& s = m.observe_stream(app, 100, &peer, StreamKind::ssl);
  s.set_owner(&transport);
  s.connection_made(transport);
  m.on_tls_error(&transport, make_error(Errc::tls, "bad record mac"));
  s.connection_lost(make_error(Errc::tls, "bad record mac"));
  ObservedStream& handshake_only = m.observe_stream(app, 101, &peer, StreamKind::ssl);
  FakeTransport other;
  handshake_only.set_owner(&other);
  m.on_tls_error(&other, make_error(Errc::tls, "certificate verify failed"));
  m.on_waiter(&other, make_error(Errc::tls, "certificate verify failed"), false);
  m.check_end(true);
  EXPECT_FALSE(m.violated()) << m.violation()->message;
}

TEST_F(OracleFixture, O8FlagsAnAppMoveBackwards) {
  Monitor& m = monitor();
  m.on_app_state(nullptr, AppState::eof, AppState::con_made);
  EXPECT_EQ(fired(), Oracle::O8);
}

// O3 as an SSL protocol sees it: what it believed before each pause/resume must alternate.
TEST_F(OracleFixture, O3FlagsAResumeTheSslProtocolWasNeverPausedFor) {
  Monitor& m = monitor();
  m.on_ssl_flow(&transport, /*pause=*/true, /*believed_paused=*/false);
  m.on_ssl_flow(&transport, /*pause=*/false, /*believed_paused=*/true);
  m.on_ssl_flow(&transport, /*pause=*/false, /*believed_paused=*/true);  // start_tls handed it a pause
  EXPECT_FALSE(m.violated());
  m.on_ssl_flow(&transport, /*pause=*/false, /*believed_paused=*/false);
  EXPECT_EQ(fired(), Oracle::O3);
}

// O4: a waiter told of success needs a finished handshake behind it.
TEST_F(OracleFixture, O4FlagsAWaiterToldOfSuccessBeforeTheHandshakeEnded) {
  Monitor& m = monitor();
  m.on_waiter(&transport, std::nullopt, /*handshake_done=*/true);
  m.on_waiter(&transport, make_error(Errc::connection_reset, "closed during the handshake"), false);
  EXPECT_FALSE(m.violated());
  m.on_waiter(&transport, std::nullopt, /*handshake_done=*/false);
  EXPECT_EQ(fired(), Oracle::O4);
}

// O6: a task's exception is reported only once someone retrieves it from the future.
TEST_F(OracleFixture, O6FlagsATaskExceptionNobodyRetrieved) {
  Monitor& m = monitor();
  TaskOutcome seen("handle_write", &m), lost("handle_read", &m);
  seen.set_exception(make_error(Errc::invalid_argument, "TypeError"));
  EXPECT_TRUE(seen.exception().has_value());
  m.check_end(true);
  EXPECT_FALSE(m.violated()) << m.violation()->message;
  lost.set_exception(make_error(Errc::invalid_argument, "TypeError"));
  m.check_end(false);  // a cut-off run may still look at it
  EXPECT_FALSE(m.violated());
  m.check_end(true);
  EXPECT_EQ(fired(), Oracle::O6);
  EXPECT_NE(m.violation()->message.find("handle_read"), std::string::npos);
}

// An observer's own part of a state's fingerprint (no owners listed).
template <class Observed>
std::uint64_t fingerprint_of(const Observed& observed) {
  XxhStateHasher h(std::vector<const void*>{});
  observed.fingerprint(h);
  return h.digest();
}

// A reduction merges states of equal fingerprint, so what a verdict reads must be hashed. O6
// owes a datagram endpoint the errors counted before its abort(): two endpoints that differ
// only in whether their error came before or after the abort have different futures (one is
// owed a report, the other not), so they must not hash the same.
TEST_F(OracleFixture, TheErrorsCountedAtAnAbortAreInTheFingerprint) {
  Monitor& m = monitor();
  NullDatagramProtocol dgram_app;
  FakeDatagramTransport before_transport, after_transport;
  auto endpoint = [&](FakeDatagramTransport& transport, const char* path) -> std::pair<int, ObservedDatagram*> {
    int fd = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, path);
    ObservedDatagram& d = m.observe_datagram(dgram_app, fd);
    d.connection_made(transport);
    return {fd, &d};
  };
  auto count_an_error = [&](int fd) {
    ASSERT_FALSE(kernel.close(fd));
    ASSERT_FALSE(kernel.recvfrom(fd, 1).ok());  // EBADF, counted against fd
  };
  auto [after_fd, after] = endpoint(after_transport, "/after");
  after->abort();
  count_an_error(after_fd);
  auto [before_fd, before] = endpoint(before_transport, "/before");
  count_an_error(before_fd);
  before->abort();
  ASSERT_EQ(m.stats(after_fd).errors, m.stats(before_fd).errors);
  EXPECT_NE(fingerprint_of(*after), fingerprint_of(*before));
  // And the futures do differ: only the endpoint whose error came first is owed a report.
  after->connection_lost(std::nullopt);
  before->connection_lost(std::nullopt);
  m.check_end(true);
  ASSERT_EQ(fired(), Oracle::O6);
  EXPECT_NE(m.violation()->message.find("1 of 1 socket error"), std::string::npos) << m.violation()->message;
  EXPECT_NE(m.violation()->message.find("fd " + std::to_string(before_fd)), std::string::npos)
      << m.violation()->message;
}


// The same for a stream, where O6 asks only whether any error was owed.
TEST_F(OracleFixture, WhetherAnErrorCameBeforeTheAbortIsInAStreamsFingerprint) {
  Monitor& m = monitor();
  auto [after_fd, after_peer] = kernel.stream_pair(SocketKind::tcp, Owner::peer, Owner::peer, "a", "b");
  auto [before_fd, before_peer] = kernel.stream_pair(SocketKind::tcp, Owner::peer, Owner::peer, "c", "d");
  auto count_an_error = [&](int fd) {
    ASSERT_FALSE(kernel.close(fd));
    ASSERT_FALSE(kernel.recv(fd, 1).ok());  // EBADF, counted against fd
  };
  ObservedStream& after = stream(m, after_fd);
  after.abort();
  count_an_error(after_fd);
  ObservedStream& before = stream(m, before_fd);
  count_an_error(before_fd);
  before.abort();
  EXPECT_NE(fingerprint_of(after), fingerprint_of(before));
  transport.closing = true;
  after.connection_lost(std::nullopt);
  before.connection_lost(std::nullopt);
  m.check_end(true);
  ASSERT_EQ(fired(), Oracle::O6);
  EXPECT_NE(m.violation()->message.find("fd " + std::to_string(before_fd)), std::string::npos)
      << m.violation()->message;
  (void)after_peer;
  (void)before_peer;
}

// When a close() came matters to O4 only until the connection beneath is gone: after that,
// two streams closed at different times have the same future and hash the same.
TEST_F(OracleFixture, TheTimeOfACloseIsHashedOnlyWhileItsDeadlineRuns) {
  Monitor& m = monitor();
  ObservedStream& first_beneath = stream(m, 100);
  ObservedStream& second_beneath = stream(m, 101);
  ObservedStream& first = stream(m, 102);
  ObservedStream& second = stream(m, 103);
  first.set_beneath(&first_beneath, 30 * kSecond);
  second.set_beneath(&second_beneath, 30 * kSecond);
  first.close();
  clock.advance_to(clock.now() + 5 * kMicrosecond);
  second.close();
  EXPECT_NE(fingerprint_of(first), fingerprint_of(second)) << "the deadlines are 5 us apart";
  transport.closing = true;
  first_beneath.connection_lost(std::nullopt);
  second_beneath.connection_lost(std::nullopt);
  EXPECT_EQ(fingerprint_of(first), fingerprint_of(second))
      << "no deadline runs once the connections beneath are gone";
  EXPECT_THROW(first.set_beneath(&second_beneath, kSecond), std::logic_error);
}

// What write() accepted counts until an abort(): O2 judges only a graceful close, and O7's
// buffer check stops where the transport closes. Past the abort, two streams that wrote more
// or less are one state.
TEST_F(OracleFixture, WhatWriteAcceptedIsHashedOnlyWhileAVerdictCanReadIt) {
  Monitor& m = monitor();
  ObservedStream& more = stream(m, 100);
  ObservedStream& less = stream(m, 101);
  ASSERT_FALSE(more.write(Bytes("abcd")));
  ASSERT_FALSE(less.write(Bytes("ab")));
  transport.buffer = 0;
  EXPECT_NE(fingerprint_of(more), fingerprint_of(less));
  transport.closing = true;
  more.abort();
  less.abort();
  EXPECT_EQ(fingerprint_of(more), fingerprint_of(less));
}
}  // namespace
}  // namespace loopcheck

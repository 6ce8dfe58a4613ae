// CPython 3.13's Lib/test/test_asyncio/test_sendfile.py, SendfileMixin (loop.sendfile on a
// transport), against loopcheck's Sendfile over the selector stream transport.
//
// CPython runs these over real sockets and a real file; here the socket is ScriptedSockets (a
// native os.sendfile reaches it as a send of the file's bytes, SocketApi's default for a regular
// file), the file a MemoryFile, and the loop a ManualLoop driven until the sendfile is done,
// firing the writer the way the selector would. "Force the fallback" (CPython patches
// _sendfile_native to raise SendfileNotAvailableError) is a file without a fileno, which takes
// the same branch. Four cases are not CPython's: x313_fallback_offset_zero_* and
// x313_close_during_native_sendfile_* pin both sides of the catalog switches gh-150107 and
// sendfile-close-hang.
//
// Skipped, one line each:
//   test_sendfile_ssl, test_sendfile_ssl_pre_and_post_data, test_sendfile_ssl_partial,
//     test_sendfile_ssl_close_peer_after_receiving: the SSL transport's sendfile is the fallback
//     machine these cases run through a file without fileno; the SSL layer has its own suite.
//   test_sendfile_close_peer_after_receiving: the peer closing after the whole file is
//     test_sendfile with a recv EOF after it; nothing of sendfile is left to see.
//   SockSendfileMixin (all): loop.sock_sendfile on a bare socket is not modelled; only its
//     native half, which loop.sendfile runs, is.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "src/core/file_object.h"
#include "src/core/tracer.h"
#include "src/transport/conformance/scripted_sockets.h"
#include "src/transport/conformance/test_loop.h"
#include "src/transport/selector_stream.h"
#include "src/transport/sendfile.h"

namespace loopcheck {
namespace {

using conformance::ScriptedSockets;
using Op = ScriptedSockets::Op;

constexpr int kFd = 7;

// CPython's DATA: large enough for three fallback blocks.
Bytes data() {
  Bytes out;
  for (int i = 0; out.size() < 40 * 1024; ++i) out += "SendfileBaseTests" + std::to_string(i % 10);
  return out;
}

class Recorder final : public Protocol {
 public:
  void connection_made(Transport&) override {}
  void data_received(BytesView) override {}
  void connection_lost(std::optional<Error> error) override {
    ++lost;
    lost_error = error;
  }
  void resume_writing() override { ++resumes; }
  int lost = 0, resumes = 0;
  std::optional<Error> lost_error;
};

// A transport that only says what loop.sendfile may do with it (CPython's mock.Mock() with
// _sendfile_compatible set, and a datagram transport, which has none).
class ModeOnlyTransport final : public Transport {
 public:
  explicit ModeOnlyTransport(SendfileMode mode) : mode_(mode) {}
  SendfileMode sendfile_mode() const override { return mode_; }
  Status write(BytesView) override { return make_error(Errc::unsupported, "unexpected write"); }
  Status write_eof() override { return std::nullopt; }
  bool can_write_eof() const override { return false; }
  void close() override {}
  void abort() override {}
  bool is_closing() const override { return false; }
  void pause_reading() override {}
  void resume_reading() override {}
  bool is_reading() const override { return true; }
  Status set_write_buffer_limits(std::optional<std::size_t>, std::optional<std::size_t>) override { return std::nullopt; }
  WriteLimits get_write_buffer_limits() const override { return {}; }
  std::size_t get_write_buffer_size() const override { return 0; }
  void set_protocol(Protocol& p) override { protocol_ = &p; }
  Protocol& get_protocol() const override { return *protocol_; }
  std::optional<std::string> get_extra_info(std::string_view) const override { return std::nullopt; }
  void force_close(std::optional<Error>) override {}

 private:
  SendfileMode mode_;
  Protocol* protocol_ = nullptr;
};

// A sendfile started and not waited for, with where its answer lands.
struct Started {
  std::optional<SendfileResult> result;
  std::unique_ptr<Sendfile> op;
};

class SendfileMixin : public ::testing::Test {
 protected:
  // A close() while os.sendfile has the socket: the buffer drained, the kernel took 1024 bytes
  // and is full.
  std::unique_ptr<Started> start_native_then_close(FileObject& file) {
    auto s = std::make_unique<Started>();
    sock.queue_send(ScriptedSockets::accepts(1024));
    sock.answer_sends(ScriptedSockets::would_block());
    Started* out = s.get();
    s->op = std::make_unique<Sendfile>(TransportContext{loop, sock, bugs, tracer}, *tr, file, SendfileRequest{},
                                       [out](const SendfileResult& r) { out->result = r; });
    s->op->start();
    tr->close();
    for (int i = 0; i < 10; ++i) loop.run_until_idle();
    return s;
  }
  SendfileMixin() {
    tr = std::make_unique<SelectorStreamTransport>(TransportContext{loop, sock, bugs, tracer}, kFd, protocol);
    loop.run_once();  // connection_made, the reader
  }
  // loop.sendfile(tr, file, ...), run until it returns or raises.
  SendfileResult run_sendfile(Transport& transport, FileObject& file, SendfileRequest request = {}) {
    std::optional<SendfileResult> result;
    Sendfile op(TransportContext{loop, sock, bugs, tracer}, transport, file, request,
                [&result](const SendfileResult& r) { result = r; });
    op.start();
    for (int i = 0; i < 1000 && !result; ++i) {
      if (loop.run_until_idle() == 0 && loop.has_writer(kFd)) loop.fire_writer(kFd);
    }
    EXPECT_TRUE(result) << "sendfile never finished";
    return result.value_or(SendfileResult{0, make_error(Errc::other, "never finished"), false});
  }
  // Everything the transport and sendfile handed the kernel, in order.
  Bytes sent() const {
    Bytes out;
    for (const auto& call : sock.calls) {
      if (call.op == Op::send || call.op == Op::sendmsg) out += call.data;
    }
    return out;
  }

  ManualLoop loop;
  ScriptedSockets sock;
  BugSet bugs;
  NullTracer tracer;
  Recorder protocol;
  std::unique_ptr<SelectorStreamTransport> tr;
  const Bytes kData = data();
};

TEST_F(SendfileMixin, test_sendfile_not_supported) {
  ModeOnlyTransport datagram(SendfileMode::unsupported);
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(datagram, file);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("not supported"), std::string::npos);
  EXPECT_EQ(file.tell(), 0u);
}

TEST_F(SendfileMixin, test_sendfile) {
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(*tr, file);
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.native);
  EXPECT_EQ(r.sent, kData.size());
  EXPECT_EQ(sent(), kData);
  EXPECT_EQ(file.tell(), kData.size());
  EXPECT_TRUE(tr->is_reading()) << "reading resumed after the sendfile";
}

TEST_F(SendfileMixin, test_sendfile_force_fallback) {
  MemoryFile file(kData, false);
  SendfileResult r = run_sendfile(*tr, file);
  EXPECT_FALSE(r.error);
  EXPECT_FALSE(r.native);
  EXPECT_EQ(r.sent, kData.size());
  EXPECT_EQ(sent(), kData);
  EXPECT_EQ(file.tell(), kData.size());
  EXPECT_EQ(&tr->get_protocol(), &protocol) << "the app's protocol is back";
  EXPECT_TRUE(tr->is_reading());
}

TEST_F(SendfileMixin, test_sendfile_force_unsupported_native) {
  MemoryFile file(kData, false);
  SendfileResult r = run_sendfile(*tr, file, SendfileRequest{0, std::nullopt, /*fallback=*/false});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, Errc::unsupported);
  EXPECT_NE(r.error->message.find("SendfileNotAvailableError"), std::string::npos);
  EXPECT_EQ(sent(), "");
  EXPECT_EQ(file.tell(), 0u);
}

TEST_F(SendfileMixin, test_sendfile_for_closing_transp) {
  tr->close();
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(*tr, file);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("is closing"), std::string::npos);
  EXPECT_EQ(sent(), "");
  EXPECT_EQ(file.tell(), 0u);
}

// The prefix the kernel refused waits in the buffer; the file leaves only after it.
TEST_F(SendfileMixin, test_sendfile_pre_and_post_data) {
  const Bytes prefix(8 * 1024, 'P'), suffix(8 * 1024, 'S');
  sock.queue_send(ScriptedSockets::would_block());
  ASSERT_FALSE(tr->write(prefix));
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(*tr, file);
  ASSERT_FALSE(tr->write(suffix));
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.sent, kData.size());
  // The refused first send is recorded too: drop it.
  EXPECT_EQ(sent().substr(prefix.size()), prefix + kData + suffix);
  EXPECT_EQ(file.tell(), kData.size());
}

TEST_F(SendfileMixin, test_sendfile_partial) {
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(*tr, file, SendfileRequest{1000, 100, true});
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.sent, 100u);
  EXPECT_EQ(sent(), kData.substr(1000, 100));
  EXPECT_EQ(file.tell(), 1100u);
}

// The peer goes after 1024 bytes: the next os.sendfile fails, and sendfile raises it (it sent
// something, so it is not "not available"); reading resumes and the transport sees the reset.
TEST_F(SendfileMixin, test_sendfile_close_peer_in_the_middle_of_receiving) {
  sock.queue_send(ScriptedSockets::accepts(1024));
  sock.queue_send(ScriptedSockets::fails(make_error(Errc::connection_reset, "ECONNRESET")));
  sock.queue_recv_error(make_error(Errc::connection_reset, "ECONNRESET"));
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(*tr, file);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, Errc::connection_reset);
  EXPECT_EQ(r.sent, 1024u);
  EXPECT_EQ(file.tell(), 1024u);
  ASSERT_TRUE(loop.has_reader(kFd)) << "reading resumed";
  loop.fire_reader(kFd);
  EXPECT_TRUE(tr->is_closing());
}

// The same in the fallback: the write fails in the transport, connection_lost wakes the drain
// that waits on the paused protocol, and sendfile raises the connection's error.
TEST_F(SendfileMixin, test_sendfile_fallback_close_peer_in_the_middle_of_receiving) {
  ASSERT_FALSE(tr->set_write_buffer_limits(4096, std::nullopt));
  sock.queue_send(ScriptedSockets::accepts(1024));
  sock.queue_send(ScriptedSockets::fails(make_error(Errc::connection_reset, "ECONNRESET")));
  MemoryFile file(kData, false);
  SendfileResult r = run_sendfile(*tr, file);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, Errc::connection_reset);
  EXPECT_GE(file.tell(), 1024u);
  EXPECT_LT(file.tell(), kData.size());
  EXPECT_EQ(protocol.lost, 1) << "connection_lost reached the app through the stand-in protocol";
  EXPECT_TRUE(tr->is_closing());
}

TEST_F(SendfileMixin, test_sendfile_prevents_bare_write) {
  sock.queue_send(ScriptedSockets::would_block());
  MemoryFile file(kData, true);
  std::optional<SendfileResult> result;
  Sendfile op(TransportContext{loop, sock, bugs, tracer}, *tr, file, {},
              [&result](const SendfileResult& r) { result = r; });
  op.start();
  ASSERT_FALSE(result);
  Status refused = tr->write("data");
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("sendfile is in progress"), std::string::npos);
  for (int i = 0; i < 100 && !result; ++i) {
    if (loop.run_until_idle() == 0 && loop.has_writer(kFd)) loop.fire_writer(kFd);
  }
  ASSERT_TRUE(result);
  EXPECT_EQ(result->sent, kData.size());
}

TEST_F(SendfileMixin, test_sendfile_no_fallback_for_fallback_transport) {
  ModeOnlyTransport ssl_like(SendfileMode::fallback);
  MemoryFile file(kData, true);
  SendfileResult r = run_sendfile(ssl_like, file, SendfileRequest{0, std::nullopt, false});
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("fallback is disabled"), std::string::npos);
}

// gh-150107, fixed: the fallback seeks to offset 0 too, so the same body goes twice.
TEST_F(SendfileMixin, x313_fallback_offset_zero_sends_from_the_start) {
  MemoryFile body(kData.substr(0, 100), false);
  SendfileResult first = run_sendfile(*tr, body);
  SendfileResult second = run_sendfile(*tr, body);
  EXPECT_EQ(first.sent, 100u);
  EXPECT_EQ(second.sent, 100u);
  EXPECT_EQ(sent(), kData.substr(0, 100) + kData.substr(0, 100));
}

// gh-150107 on (asyncio 3.13.0): the second sendfile starts where the first left the position.
TEST_F(SendfileMixin, x313_fallback_offset_zero_with_gh_150107_sends_nothing) {
  bugs.set(Bug::gh_150107);
  MemoryFile body(kData.substr(0, 100), false);
  (void)run_sendfile(*tr, body);
  SendfileResult second = run_sendfile(*tr, body);
  EXPECT_FALSE(second.error);
  EXPECT_EQ(second.sent, 0u);
  EXPECT_EQ(sent(), kData.substr(0, 100));
}

// sendfile-close-hang, fixed: the sendfile hears that its socket went, and raises.
TEST_F(SendfileMixin, x313_close_during_native_sendfile_raises) {
  MemoryFile file(kData, true);
  std::unique_ptr<Started> s = start_native_then_close(file);
  ASSERT_TRUE(s->result) << "the sendfile never returned";
  ASSERT_TRUE(s->result->error);
  EXPECT_NE(s->result->error->message.find("ConnectionError"), std::string::npos);
  EXPECT_EQ(file.tell(), 1024u);
  EXPECT_TRUE(loop.exceptions.empty());
  EXPECT_EQ(protocol.lost, 1);
}

// sendfile-close-hang on (asyncio 3.13): InvalidStateError to the exception handler, and the
// sendfile waits for a socket that is closed.
TEST_F(SendfileMixin, x313_close_during_native_sendfile_with_sendfile_close_hang_never_returns) {
  bugs.set(Bug::sendfile_close_hang);
  MemoryFile file(kData, true);
  std::unique_ptr<Started> s = start_native_then_close(file);
  EXPECT_FALSE(s->result);
  ASSERT_EQ(loop.exceptions.size(), 1u);
  EXPECT_NE(loop.exceptions[0].error.message.find("InvalidStateError"), std::string::npos);
  EXPECT_FALSE(loop.has_writer(kFd)) << "close() took the sendfile's writer with its own";
}

}  // namespace
}  // namespace loopcheck

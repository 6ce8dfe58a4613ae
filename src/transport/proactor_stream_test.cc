// ProactorStreamTransport's direct API, driven in a small simulated world over the fake
// completion port. The kernel's send buffer holds 8 bytes, so longer writes complete short and
// the transport resends the rest.
#include "src/transport/proactor_stream.h"

#include <gtest/gtest.h>

#include "model/oracles/observed_stream.h"
#include "model/world/hand_driven_proactor.h"
#include "model/world/state_fingerprint.h"
#include "src/transport/recording_protocols.h"

namespace loopcheck {
namespace {

struct ProactorStreamTest : ::testing::Test {
  ProactorStreamTest() { settle(); }
  // Runs until nothing is left to do; the monitor keeps checking the oracles meanwhile.
  void settle() { ASSERT_TRUE(hand.settle(500)) << hand.violation(); }
  Transport& t() { return *protocol.transport; }
  FakeKernel& kernel() { return hand.world->kernel(); }
  // Everything the peer can read now ("<error>" if the read fails, "" at EOF).
  Bytes peer_reads() {
    IoResult<Bytes> got = kernel().recv(peer_fd, 1000);
    return got.ok() ? got.value() : Bytes("<error>");
  }

  RecordingProtocol protocol;
  HandDrivenProactorStream hand{protocol, 8, 64};
  int peer_fd = hand.peer_fd;
};

// --- Start-up: connection_made comes from the loop, then one recv is kept outstanding. ---

TEST(ProactorStreamStart, ConnectionMadeRunsFromTheLoopNotTheConstructor) {
  RecordingProtocol protocol;
  HandDrivenProactorStream hand{protocol, 8, 64};
  EXPECT_EQ(protocol.transport, nullptr);
  EXPECT_EQ(hand.outstanding(), 0u) << "no recv before the loop runs";
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  ASSERT_NE(protocol.transport, nullptr);
  EXPECT_TRUE(protocol.transport->is_reading());
  EXPECT_FALSE(protocol.transport->is_closing());
  EXPECT_EQ(hand.outstanding(), 1u) << "one recv waits for data";
}

TEST_F(ProactorStreamTest, GetExtraInfoNamesTheSocketAndBothEnds) {
  EXPECT_EQ(t().get_extra_info("socket"), std::to_string(hand.app_fd));
  EXPECT_EQ(t().get_extra_info("sockname"), "app");
  EXPECT_EQ(t().get_extra_info("peername"), "peer");
  EXPECT_EQ(t().get_extra_info("datagrams_discarded"), std::nullopt);
  EXPECT_TRUE(t().can_write_eof());
}

// --- Writing: IDLE -> WRITING (one send outstanding) -> BACKED UP (and more buffered). ---

TEST_F(ProactorStreamTest, WriteInIdleSubmitsOneSendAtOnce) {
  ASSERT_EQ(hand.outstanding(), 1u);
  EXPECT_FALSE(t().write("hello"));
  EXPECT_EQ(hand.outstanding(), 2u) << "the send was submitted inside write()";
  EXPECT_EQ(t().get_write_buffer_size(), 5u) << "the outstanding send counts";
  settle();
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  EXPECT_EQ(peer_reads(), "hello");
}

TEST_F(ProactorStreamTest, BufferSizeCountsTheOutstandingSendPlusTheBuffer) {
  EXPECT_FALSE(t().write("abc"));   // WRITING
  EXPECT_FALSE(t().write("defg"));  // BACKED UP
  EXPECT_FALSE(t().writelines({"h", "ij"}));
  EXPECT_EQ(hand.outstanding(), 2u) << "still one send: the rest waits in the buffer";
  EXPECT_EQ(t().get_write_buffer_size(), 10u);
  settle();
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  EXPECT_EQ(peer_reads(), "abcdefghij");
}

TEST_F(ProactorStreamTest, ShortSendsResendTheRestAheadOfTheBuffer) {
  EXPECT_FALSE(t().write("0123456789abcdef"));  // twice the kernel's send buffer
  EXPECT_FALSE(t().write("XYZ"));
  settle();
  EXPECT_EQ(peer_reads(), "0123456789abcdefXYZ");
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
}

TEST_F(ProactorStreamTest, EmptyWriteIsIgnoredUnlessEofWasWritten) {
  EXPECT_FALSE(t().write(""));
  EXPECT_EQ(hand.outstanding(), 1u) << "no send for nothing";
  EXPECT_FALSE(t().write("a"));
  EXPECT_FALSE(t().write(""));  // WRITING
  EXPECT_EQ(t().get_write_buffer_size(), 1u);
  settle();
  ASSERT_FALSE(t().write_eof());
  Status status = t().write("");
  ASSERT_TRUE(status) << "asyncio checks write_eof() before it checks for empty data";
  EXPECT_EQ(status->code, Errc::closed);
}

// --- Flow control over outstanding + buffered bytes: pause above high, resume at low. ---

TEST_F(ProactorStreamTest, PausesAboveHighOnceAndResumesWhenDrained) {
  ASSERT_FALSE(t().set_write_buffer_limits(4, 2));
  EXPECT_FALSE(t().write("0123"));
  EXPECT_EQ(protocol.pauses, 0) << "exactly at the high mark is not above it";
  EXPECT_FALSE(t().write("4"));
  EXPECT_EQ(protocol.pauses, 1);
  EXPECT_FALSE(t().write("56789"));
  EXPECT_EQ(protocol.pauses, 1) << "pause_writing once, not once per write";
  EXPECT_EQ(protocol.resumes, 0);
  settle();
  EXPECT_EQ(protocol.pauses, 1);
  EXPECT_EQ(protocol.resumes, 1);
  EXPECT_EQ(peer_reads(), "0123456789");
}

TEST_F(ProactorStreamTest, SetWriteBufferLimitsValidatesAndDerivesTheMissingMark) {
  EXPECT_EQ(t().get_write_buffer_limits().high, 64u * 1024);
  EXPECT_EQ(t().get_write_buffer_limits().low, 16u * 1024);
  Status status = t().set_write_buffer_limits(10, 20);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
  EXPECT_EQ(t().get_write_buffer_limits().high, 64u * 1024) << "a rejected call changes nothing";
  EXPECT_FALSE(t().set_write_buffer_limits(std::nullopt, 100));
  EXPECT_EQ(t().get_write_buffer_limits().high, 400u);
  EXPECT_FALSE(t().set_write_buffer_limits(8, std::nullopt));
  EXPECT_EQ(t().get_write_buffer_limits().low, 2u);
}

TEST_F(ProactorStreamTest, LoweringHighBelowTheCurrentSizePausesAtOnce) {
  EXPECT_FALSE(t().write("0123456789"));
  EXPECT_EQ(protocol.pauses, 0);
  ASSERT_FALSE(t().set_write_buffer_limits(4, 1));
  EXPECT_EQ(protocol.pauses, 1);
  settle();
  EXPECT_EQ(protocol.resumes, 1);
  EXPECT_EQ(peer_reads(), "0123456789");
}

// --- write_eof: the shutdown waits for the writes in flight; later writes are refused. ---

TEST_F(ProactorStreamTest, WriteEofWithNothingPendingShutsDownAtOnce) {
  EXPECT_FALSE(t().write_eof());
  EXPECT_FALSE(t().write_eof()) << "a second write_eof is ignored";
  Status late = t().write("late");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
  settle();
  EXPECT_EQ(peer_reads(), "") << "the peer sees EOF";
  EXPECT_FALSE(t().is_closing()) << "only the write side is shut";
  EXPECT_TRUE(t().is_reading());
}

TEST_F(ProactorStreamTest, WriteEofWithPendingWritesShutsDownAfterThem) {
  EXPECT_FALSE(t().write("0123456789"));
  EXPECT_FALSE(t().write("tail"));
  EXPECT_FALSE(t().write_eof());
  EXPECT_EQ(peer_reads(), "<error>") << "nothing yet: EOF must not overtake the data";
  settle();
  EXPECT_EQ(peer_reads(), "0123456789tail");
  EXPECT_EQ(peer_reads(), "");
  // The read side still works.
  (void)kernel().send(peer_fd, "reply");
  settle();
  EXPECT_EQ(protocol.received, "reply");
}

// --- Reading: pause never cancels the outstanding recv; what it brings waits for resume. ---

TEST_F(ProactorStreamTest, DataCompletedWhilePausedIsDeliveredOnResume) {
  t().pause_reading();
  EXPECT_FALSE(t().is_reading());
  EXPECT_EQ(hand.outstanding(), 1u) << "the recv stays outstanding (bpo-33694)";
  (void)kernel().send(peer_fd, "hello");
  settle();
  EXPECT_TRUE(protocol.received.empty());
  EXPECT_EQ(hand.outstanding(), 0u) << "the recv completed; no new one while paused";
  t().resume_reading();
  EXPECT_TRUE(t().is_reading());
  settle();
  EXPECT_EQ(protocol.received, "hello");
  EXPECT_EQ(hand.outstanding(), 1u) << "reading goes on";
  (void)kernel().send(peer_fd, " world");
  settle();
  EXPECT_EQ(protocol.received, "hello world");
}

// bpo-33694: a pause that comes when the recv has already completed (its completion waits in
// the queue) must not cancel it and forget it: those bytes are delivered on resume.
TEST_F(ProactorStreamTest, PauseAfterTheRecvCompletedLosesNothing) {
  (void)kernel().send(peer_fd, "hello");
  while (!hand.world->completions().has_queued()) ASSERT_EQ(hand.world->run(1), RunEnd::step_bound);
  t().pause_reading();
  settle();
  EXPECT_TRUE(protocol.received.empty());
  t().resume_reading();
  settle();
  EXPECT_EQ(protocol.received, "hello");
}

// asyncio's buffer_size: the reads submitted after it is set ask for that many bytes (the one
// outstanding keeps its size); a size of 0, which would complete as EOF, is refused.
TEST_F(ProactorStreamTest, BufferSizeSizesTheNextReadsAndZeroIsRefused) {
  auto& proactor = ObservedStream::beneath<ProactorStreamTransport>(t());
  Status refused = proactor.set_buffer_size(0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, Errc::invalid_argument);
  ASSERT_FALSE(proactor.set_buffer_size(4));
  (void)kernel().send(peer_fd, "ab");
  settle();  // the read outstanding at 64 KiB takes "ab"; the next asks for 4
  (void)kernel().send(peer_fd, "cdefgh");
  settle();
  EXPECT_EQ(protocol.received, "abcdefgh");
  EXPECT_EQ(protocol.data_calls, 3) << "2 bytes, then 4, then 2";
}

TEST_F(ProactorStreamTest, PauseAndResumeReadingAreIdempotent) {
  t().resume_reading();  // not paused: nothing happens
  t().pause_reading();
  t().pause_reading();
  (void)kernel().send(peer_fd, "hello");
  settle();
  EXPECT_TRUE(protocol.received.empty());
  t().resume_reading();
  t().resume_reading();
  settle();
  EXPECT_EQ(protocol.received, "hello");
  EXPECT_EQ(protocol.data_calls, 1) << "the kept data is delivered once";
  EXPECT_EQ(hand.outstanding(), 1u) << "one recv, not two";
}

TEST_F(ProactorStreamTest, EofWhilePausedIsDeliveredOnResume) {
  t().pause_reading();
  (void)kernel().shutdown_write(peer_fd);
  settle();
  EXPECT_EQ(protocol.eofs, 0);
  EXPECT_EQ(protocol.lost, 0);
  t().resume_reading();
  settle();
  EXPECT_EQ(protocol.eofs, 1);
  EXPECT_EQ(protocol.lost, 1) << "eof_received() returned false";
}

TEST_F(ProactorStreamTest, IsReadingIsFalseOnceClosingAndResumeCannotChangeIt) {
  t().pause_reading();
  t().close();
  EXPECT_FALSE(t().is_reading());
  t().resume_reading();
  EXPECT_FALSE(t().is_reading());
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(t().is_reading());
}

TEST_F(ProactorStreamTest, DataKeptWhilePausedIsDroppedByClose) {
  t().pause_reading();
  (void)kernel().send(peer_fd, "never seen");
  settle();
  t().close();
  settle();
  EXPECT_TRUE(protocol.received.empty()) << "nothing reaches the protocol after close()";
  EXPECT_EQ(protocol.lost, 1);
}

// --- EOF from the peer: eof_received() decides between closing and staying half-open. ---

TEST_F(ProactorStreamTest, EofReceivedFalseClosesTheTransport) {
  (void)kernel().send(peer_fd, "bye");
  (void)kernel().shutdown_write(peer_fd);
  settle();
  EXPECT_EQ(protocol.received, "bye");
  EXPECT_EQ(protocol.eofs, 1);
  EXPECT_TRUE(t().is_closing());
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
}

TEST_F(ProactorStreamTest, EofReceivedTrueKeepsTheConnectionHalfOpen) {
  protocol.keep_open = true;
  (void)kernel().shutdown_write(peer_fd);
  settle();
  EXPECT_EQ(protocol.eofs, 1);
  EXPECT_FALSE(t().is_closing());
  EXPECT_EQ(hand.outstanding(), 0u) << "no recv after EOF";
  EXPECT_TRUE(t().is_reading()) << "as in asyncio, is_reading() does not look at EOF";
  EXPECT_FALSE(t().write("still here"));
  settle();
  EXPECT_EQ(peer_reads(), "still here");
  t().close();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_EQ(protocol.eofs, 1);
}

// --- close(): writes finish first, the read is cancelled, then connection_lost(None) once. ---

TEST_F(ProactorStreamTest, CloseLetsPendingWritesFinishThenLosesTheConnectionOnce) {
  EXPECT_FALSE(t().write("0123456789abcdef"));
  EXPECT_FALSE(t().write("XYZ"));
  t().close();
  EXPECT_TRUE(t().is_closing());
  EXPECT_FALSE(t().is_reading());
  EXPECT_EQ(t().get_write_buffer_size(), 19u) << "close() keeps what is pending";
  Status late = t().write("late");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
  EXPECT_EQ(t().get_write_buffer_size(), 19u) << "the refused write is not buffered";
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(peer_reads(), "0123456789abcdefXYZ");
  EXPECT_EQ(peer_reads(), "") << "then the connection is closed";
}

TEST_F(ProactorStreamTest, CloseTwiceLosesTheConnectionOnce) {
  t().close();
  t().close();
  settle();
  t().close();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(hand.outstanding(), 0u) << "the cancelled recv has had its final completion";
}

TEST_F(ProactorStreamTest, WriteEofAfterCloseIsIgnored) {
  t().close();
  EXPECT_FALSE(t().write_eof());
  settle();
  EXPECT_EQ(protocol.lost, 1);
}

// A recv that completes with data as close() cancels it: the data is dropped and counted (O9).
TEST(ProactorStreamCancelRace, DataInAReadCancelledByCloseIsDiscardedAndCounted) {
  RecordingProtocol protocol;
  HandDrivenProactorStream hand{protocol, 8, 64};
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  hand.choices.answer[ChoiceKind::cancel_race] = 2;  // ALREADY, and it completes with the data
  (void)hand.world->kernel().send(hand.peer_fd, "racing");
  // Run until the bytes reach the app socket, but not the recv's completion.
  while (hand.world->kernel().unread_bytes(hand.app_fd) == 0) ASSERT_EQ(hand.world->run(1), RunEnd::step_bound);
  protocol.transport->close();
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_TRUE(protocol.received.empty());
  EXPECT_EQ(hand.world->completions().discarded_bytes(), 6u);
  EXPECT_EQ(protocol.lost, 1);
}

// --- abort(): everything pending is dropped; connection_lost(None) exactly once. ---

TEST_F(ProactorStreamTest, AbortDiscardsPendingWritesAndLosesTheConnectionOnce) {
  EXPECT_FALSE(t().write("0123456789abcdef"));
  EXPECT_FALSE(t().write("XYZ"));
  t().abort();
  EXPECT_TRUE(t().is_closing());
  EXPECT_FALSE(t().is_reading());
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  t().abort();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(peer_reads(), "") << "the cancelled send never ran: the peer gets only the close";
  Status late = t().write("x");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
}

TEST_F(ProactorStreamTest, AbortAfterCloseEndsAGracefulCloseStillWriting) {
  EXPECT_FALSE(t().write("0123456789abcdef"));
  t().close();
  t().abort();
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(peer_reads(), "") << "abort() won: the write was cancelled";
}

TEST_F(ProactorStreamTest, CloseAfterAbortChangesNothing) {
  EXPECT_FALSE(t().write("0123"));
  t().abort();
  t().close();
  EXPECT_TRUE(t().is_closing());
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(peer_reads(), "");
}

// --- A reset from the peer: connection_lost carries the error; later writes are refused. ---

TEST_F(ProactorStreamTest, PeerResetReachesConnectionLostAsAnError) {
  (void)kernel().send(peer_fd, "last words");
  (void)kernel().abortive_close(peer_fd);
  settle();
  EXPECT_EQ(protocol.received, "") << "an abortive close discards what it had not sent";
  ASSERT_EQ(protocol.lost, 1);
  ASSERT_TRUE(protocol.lost_error);
  EXPECT_EQ(protocol.lost_error->code, Errc::connection_reset);
  EXPECT_TRUE(t().is_closing());
  Status late = t().write("x");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
}

// --- A reset whose recv completed just before the app ends the connection: the completion is
// already queued (cancel says NOT_FOUND) and runs after connection_lost(None). O6 (no swallowed
// errors) owes the protocol the errors that came before abort(); before close(), all of them. ---

void reset_completes_then_the_app_ends(bool abort) {
  RecordingProtocol protocol;
  HandDrivenProactorStream hand{protocol, 8, 64};
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  (void)hand.world->kernel().abortive_close(hand.peer_fd);
  // Run until the recv has completed with ECONNRESET and waits in the completion queue.
  while (!hand.world->completions().has_queued()) ASSERT_EQ(hand.world->run(1), RunEnd::step_bound);
  if (abort) {
    protocol.transport->abort();
  } else {
    protocol.transport->close();
  }
  EXPECT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_TRUE(protocol.received.empty());
}

TEST(ProactorStreamErrorRace, AResetCompletedJustBeforeAbortIsNotOwed) {
  reset_completes_then_the_app_ends(true);
}

// After close(), asyncio 3.13 drops the reset too: _loop_reading's ConnectionResetError goes to
// _force_close, which finds connection_lost already scheduled. The transport discards it on
// purpose (settled with the port), so it is not owed: connection_lost(None), and no O6.
TEST(ProactorStreamErrorRace, AResetCompletedJustBeforeCloseIsDroppedAsAsyncioDrops) {
  reset_completes_then_the_app_ends(false);
}

// --- set_protocol/get_protocol on the transport itself (the monitor's wrapper keeps its own). ---

TEST(ProactorStreamProtocol, SetProtocolRedirectsLaterCallbacks) {
  RecordingProtocol unused, first, second;  // `unused` drives the harness's own connection
  HandDrivenProactorStream hand{unused, 8, 64};
  auto [app_fd, peer_fd] =
      hand.world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "app2", "peer2");
  auto& raw = hand.world->own(std::make_unique<ProactorStreamTransport>(hand.world->context(), app_fd, first));
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  ASSERT_EQ(first.transport, &raw);
  EXPECT_EQ(&raw.get_protocol(), &first);
  raw.set_protocol(second);
  EXPECT_EQ(&raw.get_protocol(), &second);
  (void)hand.world->kernel().send(peer_fd, "second");
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_TRUE(first.received.empty());
  EXPECT_EQ(second.received, "second");
}

// Between a force_close and its connection_lost callback, the error that callback will carry is
// only in the transport: the fingerprint must see it (the loop hashes a callback by its label).
TEST(ProactorLossWaiting, TheErrorAWaitingConnectionLostWillCarryIsHashed) {
  auto waiting_loss = [](std::optional<Error> error) {
    RecordingProtocol protocol;
    HandDrivenProactorStream hand{protocol, 8, 64};
    EXPECT_TRUE(hand.settle(500));
    Transport& t = *protocol.transport;
    t.force_close(std::move(error));
    EXPECT_EQ(protocol.lost, 0) << "the callback waits";
    XxhStateHasher h(std::vector<const void*>{});
    ObservedStream::beneath<ProactorStreamTransport>(t).fingerprint(h);
    return h.digest();
  };
  EXPECT_NE(waiting_loss(std::nullopt), waiting_loss(make_error(Errc::connection_reset, "reset by peer")));
}

}  // namespace
}  // namespace loopcheck

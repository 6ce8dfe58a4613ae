// StreamReader and StreamReaderProtocol over a selector transport in a small simulated world;
// the test plays the far end through the kernel.
#include "src/streams/stream_reader.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <tuple>

#include "src/core/choice.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

struct ReaderFixture : ::testing::Test {
  ReaderFixture() {
    WorldConfig config;
    config.kernel.faults = false;
    config.oracles.set(Oracle::O4, false);  // the tests stop with the connection open
    config.oracles.set(Oracle::O5, false);
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app_fd, peer_fd) = world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "app", "peer");
    reader.emplace(world->loop(), /*limit=*/8);
    protocol.emplace(*reader);
    transport = &world->stream_transport(app_fd, *protocol, nullptr);
    settle();
  }
  void settle() {
    world->run(1000);
    ASSERT_FALSE(world->monitor().violated()) << world->monitor().violation()->message;
  }
  void peer_sends(BytesView data) {
    auto sent = world->kernel().send(peer_fd, data);
    ASSERT_TRUE(sent.ok());
    ASSERT_EQ(sent.value(), data.size());
  }

  FirstChoice choices;
  std::unique_ptr<SimWorld> world;
  int app_fd = -1, peer_fd = -1;
  Transport* transport = nullptr;
  std::optional<StreamReader> reader;
  std::optional<StreamReaderProtocol> protocol;
};

TEST_F(ReaderFixture, ALineAlreadyBufferedIsReturnedInsideTheCallAndTheRestStays) {
  peer_sends("HELO\r\nhello");  // the line within the limit of 8
  settle();
  std::optional<StreamRead> got;
  ASSERT_FALSE(reader->readline([&](StreamRead r) { got = std::move(r); }));
  ASSERT_TRUE(got) << "an await that need not suspend does not";
  EXPECT_EQ(got->data, "HELO\r\n");
  EXPECT_EQ(reader->buffer(), "hello") << "the read-ahead stays for whoever reads next";
}

TEST_F(ReaderFixture, AWaitingReadResumesOnALaterTurnNotInsideFeedData) {
  std::optional<StreamRead> got;
  ASSERT_FALSE(reader->readexactly(4, [&](StreamRead r) { got = std::move(r); }));
  reader->feed_data("abcdef");
  EXPECT_FALSE(got) << "the waiting task resumes on the loop's next turn";
  settle();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "abcd");
  EXPECT_EQ(reader->buffer(), "ef");
}

TEST_F(ReaderFixture, OneReadWaitsAtATime) {
  ASSERT_FALSE(reader->read(4, [](StreamRead) {}));
  Status second = reader->readline([](StreamRead) {});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->code, Errc::already);
}

TEST_F(ReaderFixture, ABufferPastTwiceTheLimitPausesTheTransportAndReadingResumesIt) {
  peer_sends("0123456789abcdefXY");  // 18 bytes > 2 * 8
  settle();
  EXPECT_FALSE(transport->is_reading());
  std::optional<StreamRead> got;
  ASSERT_FALSE(reader->readexactly(9, [&](StreamRead r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  EXPECT_EQ(reader->buffer().size(), 9u);
  EXPECT_FALSE(transport->is_reading()) << "9 bytes left: still above the limit of 8";
  ASSERT_FALSE(reader->read(1, [&](StreamRead r) { got = std::move(r); }));
  EXPECT_TRUE(transport->is_reading()) << "8 bytes left: at the limit, reading resumes";
}

// asyncio's _wait_for_data: a read that must wait resumes a paused transport, so a readexactly()
// of more than twice the limit completes instead of waiting forever (start-tls-stream with
// bytes=262144 reported that wait as lost bytes before).
TEST_F(ReaderFixture, AReadLongerThanTwiceTheLimitResumesThePausedTransportAndCompletes) {
  const Bytes sent = "0123456789abcdefghijklmnopqrstuvwxyz";  // 36 bytes, over 2 * 8 four times
  std::optional<StreamRead> got;
  ASSERT_FALSE(reader->readexactly(sent.size(), [&](StreamRead r) { got = std::move(r); }));
  peer_sends(sent.substr(0, 20));  // past twice the limit: the reader pauses the transport
  settle();
  EXPECT_FALSE(got);
  peer_sends(sent.substr(20));
  settle();
  ASSERT_TRUE(got) << "the read waited on a transport it had paused itself";
  EXPECT_EQ(got->data, sent);
  EXPECT_TRUE(transport->is_reading());
}

// asyncio's readuntil: a line found whose separator lies past the limit is an error (readline's
// ValueError), and readline drops that line; the next one reads as usual.
TEST_F(ReaderFixture, ALineLongerThanTheLimitIsAnErrorAndIsDropped) {
  reader->feed_data("0123456789\nok\n");  // the separator at offset 10, past the limit of 8
  std::optional<StreamRead> got;
  ASSERT_FALSE(reader->readline([&](StreamRead r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->error);
  EXPECT_EQ(got->error->code, Errc::invalid_argument);
  EXPECT_EQ(reader->buffer(), "ok\n");
  got.reset();
  ASSERT_FALSE(reader->readline([&](StreamRead r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->error);
  EXPECT_EQ(got->data, "ok\n");
}

TEST_F(ReaderFixture, EofBeforeEnoughBytesEndsReadexactlyEarlyWithWhatThereWas) {
  peer_sends("abc");
  ASSERT_TRUE(world->kernel().shutdown_write(peer_fd) == std::nullopt);
  settle();
  std::optional<StreamRead> got;
  ASSERT_FALSE(reader->readexactly(10, [&](StreamRead r) { got = std::move(r); }));
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->eof_early);
  EXPECT_EQ(got->data, "abc");
  EXPECT_TRUE(reader->at_eof());
}

TEST_F(ReaderFixture, EofKeepsAPlainTransportOpenButNotAnSslOne) {
  EXPECT_TRUE(protocol->eof_received()) << "plain: the writer may still write (half-close)";
  protocol->replace_transport(*transport, /*over_ssl=*/true);
  EXPECT_FALSE(protocol->eof_received()) << "over SSL asyncio lets the transport close";
}

}  // namespace
}  // namespace loopcheck

// PosixSockets' two receive shapes that avoid a copy: recv_into fills the caller's buffer and
// no more; recv_view lends bytes from a buffer of its own that an ordinary recv never reuses,
// so a read_ready that holds a lent view while the protocol calls loop.sock_recv keeps its bytes.
// Label `real` (AF_UNIX socketpairs, no network).
#include <gtest/gtest.h>
#include <unistd.h>

#include <span>
#include <string>
#include <tuple>
#include <utility>

#include "src/real/posix_sockets.h"

namespace loopcheck {
namespace {

struct Pair {
  Pair() {
    IoResult<std::pair<int, int>> made = PosixSockets::stream_socketpair();
    EXPECT_TRUE(made.ok());
    if (made.ok()) std::tie(reader, writer) = made.value();
  }
  ~Pair() {
    ::close(reader);
    ::close(writer);
  }
  int reader = -1, writer = -1;
};

TEST(PosixSocketsRecvView, AnOrdinaryRecvLeavesTheLentBytesAlone) {
  Pair a, b;
  PosixSockets sockets;
  ASSERT_TRUE(sockets.send(a.writer, "lent bytes").ok());
  ASSERT_TRUE(sockets.send(b.writer, "other bytes, longer than the first").ok());
  IoResult<BytesView> lent = sockets.recv_view(a.reader, 64);
  ASSERT_TRUE(lent.ok());
  IoResult<Bytes> other = sockets.recv(b.reader, 64);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(lent.value(), "lent bytes");
  EXPECT_EQ(other.value(), "other bytes, longer than the first");
}

TEST(PosixSocketsRecvView, ReportsEofAndWouldBlockAsRecvDoes) {
  Pair a;
  PosixSockets sockets;
  IoResult<BytesView> nothing = sockets.recv_view(a.reader, 16);
  EXPECT_TRUE(nothing.would_block());
  ASSERT_FALSE(sockets.shutdown_write(a.writer));
  IoResult<BytesView> eof = sockets.recv_view(a.reader, 16);
  ASSERT_TRUE(eof.ok());
  EXPECT_TRUE(eof.value().empty());
}

TEST(PosixSocketsRecvInto, FillsNoMoreThanTheBufferHolds) {
  Pair a;
  PosixSockets sockets;
  ASSERT_TRUE(sockets.send(a.writer, "0123456789").ok());
  std::string buffer(4, '-');
  buffer += "guard";
  IoResult<std::size_t> n = sockets.recv_into(a.reader, std::span<char>(buffer.data(), 4));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 4u);
  EXPECT_EQ(buffer, "0123guard");
  IoResult<Bytes> rest = sockets.recv(a.reader, 64);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest.value(), "456789");
}

}  // namespace
}  // namespace loopcheck

// ByteQueue is a FIFO: what goes in comes out once, in order, whatever was consumed before.
#include "src/core/bytes.h"

#include <gtest/gtest.h>

#include <string>

namespace loopcheck {
namespace {

TEST(ByteQueue, APrependedTailComesOutAheadOfWhatWasQueued) {
  ByteQueue queue;
  queue.append(std::string(5000, 'a') + "bcd");
  queue.consume(5000);  // past the compaction point, with bytes still in it
  queue.append("ef");
  queue.prepend("XY");
  EXPECT_EQ(queue.view(), "XYbcdef");
  EXPECT_EQ(queue.take(), "XYbcdef");
  EXPECT_TRUE(queue.empty());
  queue.prepend("tail");  // into an empty queue
  EXPECT_EQ(queue.view(), "tail");
}

}  // namespace
}  // namespace loopcheck

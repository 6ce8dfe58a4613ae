// Fifo keeps order across pops, pushes and compactions, and gives up what a popped item owned.
#include "src/core/fifo.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>

namespace loopcheck {
namespace {

TEST(Fifo, BehavesAsADequeUsedAtBothEnds) {
  Fifo<std::string> fifo;
  std::deque<std::string> expected;
  unsigned x = 7;
  for (int i = 0; i < 5000; ++i) {
    x = x * 1103515245u + 12345u;
    // Bursts of pushes and pops of every length, so the queue runs empty, grows past the
    // compaction point and compacts with items still in it.
    if ((x >> 16) % 3 != 0 || expected.empty()) {
      std::string item = "item " + std::to_string(i);
      fifo.push_back(item);
      expected.push_back(item);
    } else {
      ASSERT_EQ(fifo.front(), expected.front());
      fifo.pop_front();
      expected.pop_front();
    }
    ASSERT_EQ(fifo.size(), expected.size());
    ASSERT_EQ(fifo.empty(), expected.empty());
    if (!expected.empty()) ASSERT_EQ(fifo.back(), expected.back());
    if (i % 97 == 0) {
      ASSERT_TRUE(std::equal(fifo.begin(), fifo.end(), expected.begin(), expected.end()));
    }
  }
  fifo.clear();
  EXPECT_TRUE(fifo.empty());
  EXPECT_EQ(fifo.begin(), fifo.end());
}

TEST(Fifo, APoppedItemIsReleasedAtOnce) {
  Fifo<std::shared_ptr<int>> fifo;
  auto first = std::make_shared<int>(1);
  fifo.push_back(first);
  fifo.push_back(std::make_shared<int>(2));
  EXPECT_EQ(first.use_count(), 2);
  fifo.pop_front();
  EXPECT_EQ(first.use_count(), 1);
  EXPECT_EQ(*fifo.front(), 2);
}

}  // namespace
}  // namespace loopcheck

// ChunkQueue is asyncio 3.12+'s write buffer: the chunk boundaries and _adjust_leftover_buffer's
// trimming, empty chunks included.
#include "src/transport/chunk_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace loopcheck {
namespace {

std::vector<Bytes> chunks(const ChunkQueue& q, std::size_t max = 100) {
  std::vector<Bytes> out;
  for (BytesView c : q.gather(max)) out.emplace_back(c);
  return out;
}

TEST(ChunkQueue, GathersTheChunksAsTheyCameUpToTheLimit) {
  ChunkQueue q;
  q.append("ab");
  q.append("cde");
  q.append("f");
  EXPECT_EQ(q.size(), 6u);
  EXPECT_EQ(q.chunk_count(), 3u);
  EXPECT_EQ(chunks(q), (std::vector<Bytes>{"ab", "cde", "f"}));
  EXPECT_EQ(chunks(q, 2), (std::vector<Bytes>{"ab", "cde"})) << "at most IOV_MAX chunks per sendmsg";
}

TEST(ChunkQueue, ConsumeDropsWholeChunksAndKeepsTheRestOfTheOneItEndsIn) {
  ChunkQueue q;
  q.append("ab");
  q.append("cde");
  q.consume(3);
  EXPECT_EQ(chunks(q), (std::vector<Bytes>{"de"}));
  EXPECT_EQ(q.size(), 2u);
  q.consume(2);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
}

// gh-155888's mechanism: trimming stops when the sent bytes are used up, so an empty chunk at the
// end stays, and the buffer is not empty though its size is 0; one in the middle goes.
TEST(ChunkQueue, AnEmptyChunkAtTheEndOutlivesTheBytesBeforeIt) {
  ChunkQueue q;
  q.append("ab");
  q.append("");
  q.append("c");
  q.append("");
  q.consume(3);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(chunks(q), (std::vector<Bytes>{""}));
  q.consume(0);
  EXPECT_FALSE(q.empty()) << "sending nothing trims nothing";
  q.clear();
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace loopcheck

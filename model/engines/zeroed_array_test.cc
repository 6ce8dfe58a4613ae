// ZeroedArray starts as zero bytes at every size, keeps what is written, and moves without a
// copy: the state cache's table (DigestMap) reads key 0 as an empty slot.
#include "model/engines/zeroed_array.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <new>
#include <utility>

namespace loopcheck {
namespace {

struct Pair {
  std::uint64_t key;
  std::uint64_t value;
};

void expect_zero_then_kept(std::size_t count) {
  ZeroedArray<Pair> array(count);
  ASSERT_EQ(array.size(), count);
  for (std::size_t i = 0; i < count; ++i) {
    ASSERT_EQ(array[i].key, 0u) << "slot " << i << " of " << count;
    ASSERT_EQ(array[i].value, 0u) << "slot " << i << " of " << count;
  }
  for (std::size_t i = 0; i < count; ++i) array[i] = Pair{i + 1, ~i};
  for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(array[i].key, i + 1);
}

TEST(ZeroedArray, StartsAsZeroAndKeepsWhatIsWritten) {
  expect_zero_then_kept(1);
  expect_zero_then_kept(1024);
  expect_zero_then_kept((std::size_t{3} << 20) / sizeof(Pair) + 7);  // past 2 MiB: huge pages asked for
}

// A table of 2 MiB or more starts at a 2 MiB boundary, where a huge page can begin.
TEST(ZeroedArray, ALargeArrayStartsWhereAHugePageCan) {
  ZeroedArray<Pair> large((std::size_t{4} << 20) / sizeof(Pair));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&large[0]) % (std::uintptr_t{2} << 20), 0u);
}

// 2^60 + 1 slots of 16 bytes: the byte count wraps to 16, which mmap would grant.
TEST(ZeroedArray, ASizeNoSizeTHoldsIsRefused) {
  EXPECT_THROW(ZeroedArray<Pair>((std::size_t{1} << 60) + 1), std::bad_alloc);
}

TEST(ZeroedArray, MovesWithoutACopy) {
  ZeroedArray<Pair> a(100);
  a[99] = Pair{7, 8};
  const Pair* at = &a[0];
  ZeroedArray<Pair> b = std::move(a);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(&b[0], at);
  EXPECT_EQ(b[99].key, 7u);
  ZeroedArray<Pair> c(5);
  c = std::move(b);
  EXPECT_EQ(c.size(), 100u);
  EXPECT_EQ(c[99].value, 8u);
}

}  // namespace
}  // namespace loopcheck

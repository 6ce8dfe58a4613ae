// DigestMap keeps one value per key across growth, key 0 included, and finds each again: the
// state cache's verdicts depend on it never losing or mixing up a state.
#include "model/engines/digest_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <unordered_map>

namespace loopcheck {
namespace {

TEST(DigestMap, KeepsTheFirstValueOfEveryKeyAcrossGrowth) {
  DigestMap<std::uint32_t> map;
  std::unordered_map<std::uint64_t, std::uint32_t> expected;
  std::uint64_t x = 0x1234;
  for (std::uint32_t i = 0; i < 50000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;  // distinct keys, well spread
    // Every fifth key shares its top 20 bits with another: the multiplicative hash puts many
    // of them in neighbouring slots, so probing runs past occupied ones.
    std::uint64_t key = i % 5 == 0 ? (x & 0xFFFFF) : x;
    auto [value, inserted] = map.try_emplace(key, i);
    auto [it, fresh] = expected.try_emplace(key, i);
    ASSERT_EQ(inserted, fresh) << "key " << key;
    ASSERT_EQ(*value, it->second) << "key " << key;
  }
  EXPECT_EQ(map.size(), expected.size());
  for (const auto& [key, first] : expected) {
    auto [value, inserted] = map.try_emplace(key, 0xFFFFFFFF);
    ASSERT_FALSE(inserted) << "key " << key << " was lost";
    ASSERT_EQ(*value, first);
  }
}

TEST(DigestMap, KeyZeroIsAKeyLikeAnyOther) {
  DigestMap<int> map;
  EXPECT_TRUE(map.try_emplace(0, 5).second);
  EXPECT_TRUE(map.try_emplace(1, 6).second);
  auto [value, inserted] = map.try_emplace(0, 7);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(*value, 5);
  *value = 8;  // the caller may update what is kept
  EXPECT_EQ(*map.try_emplace(0, 9).first, 8);
  EXPECT_EQ(map.size(), 2u);
}

}  // namespace
}  // namespace loopcheck

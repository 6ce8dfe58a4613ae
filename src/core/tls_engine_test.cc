// TlsCallDigest: the record of an engine's calls that stands for OpenSSL's state in a
// fingerprint. Runs that made the same calls agree; runs that did not, do not, even where one
// call's bytes spell another call.
#include "src/core/tls_engine.h"

#include <gtest/gtest.h>

namespace loopcheck {
namespace {

TlsCallDigest digest_of(std::initializer_list<std::pair<char, const char*>> calls) {
  TlsCallDigest d;
  for (auto [op, data] : calls) d.note(op, data);
  return d;
}

TEST(TlsCallDigest, FeedsInARowAreOneFeed) {
  EXPECT_EQ(digest_of({{'f', "ab"}, {'f', "c"}, {'r', ""}}).value(), digest_of({{'f', "abc"}, {'r', ""}}).value());
  // Asked for while the feeds go on, and after: the same as one feed either way.
  TlsCallDigest running = digest_of({{'f', "ab"}});
  (void)running.value();
  running.note('f', "c");
  EXPECT_EQ(running.value(), digest_of({{'f', "abc"}}).value());
}

TEST(TlsCallDigest, NoCallsBytesPassForAnotherCall) {
  // A read after a feed is not more fed bytes, whatever the letters.
  EXPECT_NE(digest_of({{'f', "ab"}, {'r', ""}}).value(), digest_of({{'f', "abr"}}).value());
  // Two writes are not one, and a write's bytes are not a read.
  EXPECT_NE(digest_of({{'w', "ab"}, {'w', "c"}}).value(), digest_of({{'w', "abc"}}).value());
  EXPECT_NE(digest_of({{'w', "r"}}).value(), digest_of({{'w', ""}, {'r', ""}}).value());
  // A feed between two other calls is not the same feed after both.
  EXPECT_NE(digest_of({{'h', ""}, {'f', "x"}, {'r', ""}}).value(), digest_of({{'h', ""}, {'r', ""}, {'f', "x"}}).value());
}

}  // namespace
}  // namespace loopcheck

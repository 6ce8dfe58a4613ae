// Fingerprints: the same state hashes the same along the same path, every time; a different
// state hashes differently. This is what makes pruning by fingerprint both useful and sound.
#include "model/world/state_fingerprint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "model/engines/run.h"
#include "model/world/world.h"
#include "model/scenarios/registry.h"

namespace loopcheck {
namespace {

std::vector<std::uint64_t> fingerprints_along(const Scenario& scenario,
                                              const std::vector<ChoiceRecord>& prefix) {
  std::vector<std::uint64_t> prints;
  StepVisitor record = [&](SimWorld& world, const PrefixChoiceSource&) {
    prints.push_back(world.fingerprint());
    return true;
  };
  (void)execute(RunSpec::defaults(scenario), prefix, false, false, &record);
  return prints;
}

TEST(StateFingerprint, SamePathSamePrints) {
  const Scenario& scenario = *find_scenario("stream-echo");
  EXPECT_EQ(fingerprints_along(scenario, {}), fingerprints_along(scenario, {}));
}

TEST(StateFingerprint, EveryStepChangesTheState) {
  std::vector<std::uint64_t> prints = fingerprints_along(*find_scenario("dgram-echo"), {});
  ASSERT_GT(prints.size(), 5u);
  for (std::size_t i = 1; i < prints.size(); ++i) EXPECT_NE(prints[i - 1], prints[i]) << "step " << i;
}

// Writes are gathered before they reach XXH3: however the same bytes are cut up, small or
// larger than the gathering buffer, the digest is XXH3's of them all.
TEST(StateFingerprint, TheDigestIsXxh3OfEveryByteWritten) {
  std::vector<unsigned char> all(10000);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<unsigned char>(i * 7 + i / 251);
  for (std::size_t piece : {1u, 8u, 100u, 2047u, 2048u, 5000u}) {
    XxhStateHasher h;
    for (std::size_t at = 0; at < all.size(); at += piece) h.bytes(all.data() + at, std::min(piece, all.size() - at));
    EXPECT_EQ(h.digest(), XXH3_64bits(all.data(), all.size())) << "pieces of " << piece;
    EXPECT_EQ(h.digest(), XXH3_64bits(all.data(), all.size())) << "asked twice";
  }
}

TEST(StateFingerprint, BytesAndOwnersAreBothHashed) {
  std::vector<const void*> owners = {&owners, nullptr};
  XxhStateHasher a(owners), b(owners), c(owners);
  a.text("abc");
  b.text("abd");
  c.text("abc");
  EXPECT_NE(a.digest(), b.digest());
  EXPECT_EQ(a.digest(), c.digest());
  EXPECT_EQ(a.owner(&owners), 1u);
  EXPECT_EQ(a.owner(nullptr), 0u);
  int unknown = 0;
  EXPECT_NE(a.owner(&unknown), a.owner(&owners));
}

// What happens next depends on how far away a time is, not where it lies.
TEST(StateFingerprint, TimesAreHashedRelativeToNow) {
  std::vector<const void*> owners;
  auto digest = [&](Nanos now, Nanos at) {
    XxhStateHasher h(owners);
    h.restart(owners, now);
    h.time(at);
    return h.digest();
  };
  EXPECT_EQ(digest(10, 15), digest(1000, 1005));
  EXPECT_NE(digest(10, 15), digest(10, 16));
  EXPECT_EQ(digest(10, 5), digest(20, 15));  // overdue by as much
  // Markers stay themselves: "unset" and "never" do not move with the clock.
  EXPECT_EQ(digest(10, -1), digest(99, -1));
  constexpr Nanos kNever = std::numeric_limits<Nanos>::max();
  EXPECT_EQ(digest(10, kNever), digest(99, kNever));
  // A marker never hashes like a relative time of the same value.
  EXPECT_NE(digest(0, -1), [&] {
    XxhStateHasher h(owners);
    h.restart(owners, 1);
    h.time(0);
    return h.digest();
  }());
}

// Operation ids are names: the same live operations hash the same whatever they are numbered.
TEST(StateFingerprint, OperationsAreRenumberedByTheLiveSet) {
  std::vector<const void*> owners;
  XxhStateHasher h(owners);
  h.restart(owners, 0);
  h.live_operations() = {4, 9, 12};
  EXPECT_EQ(h.operation(0), 0u);  // no operation
  EXPECT_EQ(h.operation(4), 1u);
  EXPECT_EQ(h.operation(9), 2u);
  EXPECT_EQ(h.operation(12), 3u);
  EXPECT_NE(h.operation(5), h.operation(4));  // finished: a marker of its own, never a rank
  EXPECT_EQ(h.operation(5), h.operation(7));
}

}  // namespace
}  // namespace loopcheck

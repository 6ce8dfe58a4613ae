// Fingerprints: the same state hashes the same along the same path, every time; a different
// state hashes differently. This is what makes pruning by fingerprint both useful and sound.
#include "model/world/state_fingerprint.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace loopcheck

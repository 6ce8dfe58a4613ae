// The registry a user's scenarios and switches join: names are unique, and a switch of a user's
// own cannot pose as a built-in one. (Only refusals are tested: this process's registry is
// shared with every other test in it.)
#include "model/scenarios/registry.h"

#include <gtest/gtest.h>

#include "model/oracles/catalog.h"
#include "model/scenarios/scenarios.h"

namespace loopcheck {
namespace {

TEST(Registry, ABuiltInScenarioIsBuiltInAndCannotBeAddedTwice) {
  EXPECT_TRUE(is_builtin(stream_echo_scenario()));
  auto error = add_scenario(stream_echo_scenario());
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("already exists"), std::string::npos) << *error;
}

TEST(Registry, AUserSwitchNeedsAFreshIdAnOracleAndNoBuiltInBug) {
  CatalogEntry entry{Bug::kCount, "my-switch", "mine", "", "", "stream-echo", {Oracle::O2}, 0};
  CatalogEntry posing = entry;
  posing.bug = Bug::dgram_drain;
  EXPECT_TRUE(add_catalog_entry(posing).has_value());
  CatalogEntry taken = entry;
  taken.id = "dgram-drain";
  EXPECT_TRUE(add_catalog_entry(taken).has_value());
  CatalogEntry blind = entry;
  blind.oracles.clear();
  EXPECT_TRUE(add_catalog_entry(blind).has_value());
  CatalogEntry nameless = entry;
  nameless.id = "";
  EXPECT_TRUE(add_catalog_entry(nameless).has_value());
  EXPECT_EQ(find_bug("my-switch"), nullptr);  // none of them joined
}

TEST(Registry, NamedSwitchesAreKeptApartFromBuiltInOnes) {
  CatalogEntry mine{Bug::kCount, "my-switch", "mine", "", "", "stream-echo", {Oracle::O2}, 0};
  BugSet bugs;
  set_switch(bugs, mine);
  EXPECT_TRUE(switch_on(bugs, mine));
  EXPECT_TRUE(bugs.on("my-switch"));
  EXPECT_FALSE(bugs.on(Bug::dgram_drain));
  EXPECT_FALSE(bugs.none());
  set_switch(bugs, mine, false);
  EXPECT_TRUE(bugs.none());
}

}  // namespace
}  // namespace loopcheck

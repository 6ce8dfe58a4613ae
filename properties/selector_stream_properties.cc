// Property suite for the selector stream transport: RapidCheck generates the scenario, its sizes and
// the schedule; every oracle is checked on every case. Reproduce a failure with the printed
// RC_PARAMS="reproduce=..." line, or replay the reproducer it logs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/property_support.h"

namespace loopcheck::properties {
namespace {

RC_GTEST_PROP(SelectorStreamProperties, EveryScheduleOfTheFixedTransportPassesEveryOracle, ()) {
  check_family_run("selector stream", BugSet{});
}

// The other direction: with a switch on, RapidCheck must find it within 1,000 cases.
TEST(SelectorStreamProperties, RapidCheckFindsEachSwitchWithin1000Cases) { expect_each_switch_found("selector stream"); }

}  // namespace
}  // namespace loopcheck::properties

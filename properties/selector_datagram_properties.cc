// Property suite for the selector datagram transport: RapidCheck generates the scenario, its sizes and
// the schedule; every oracle is checked on every case. Reproduce a failure with the printed
// RC_PARAMS="reproduce=..." line, or replay the reproducer it logs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/property_support.h"

namespace loopcheck::properties {
namespace {

RC_GTEST_PROP(SelectorDatagramProperties, EveryScheduleOfTheFixedTransportPassesEveryOracle, ()) {
  check_family_run("selector datagram", BugSet{});
}

// The other direction: with a switch on, RapidCheck must find it within 1,000 cases.
TEST(SelectorDatagramProperties, RapidCheckFindsEachSwitchWithin1000Cases) { expect_each_switch_found("selector datagram"); }

}  // namespace
}  // namespace loopcheck::properties

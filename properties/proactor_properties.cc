// Property suites for the proactor transports (overlapped I/O): RapidCheck generates the scenario,
// its sizes and the schedule, cancel races included; every oracle is checked on every case.
// Reproduce a failure with the printed RC_PARAMS="reproduce=..." line, or replay the reproducer
// it logs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/property_support.h"

namespace loopcheck::properties {
namespace {

RC_GTEST_PROP(ProactorStreamProperties, EveryScheduleOfTheFixedTransportPassesEveryOracle, ()) {
  check_family_run("proactor stream", BugSet{});
}

// The other direction: with a switch on, RapidCheck must find it within 1,000 cases.
TEST(ProactorStreamProperties, RapidCheckFindsEachSwitchWithin1000Cases) { expect_each_switch_found("proactor stream"); }

RC_GTEST_PROP(ProactorDatagramProperties, EveryScheduleOfTheFixedTransportPassesEveryOracle, ()) {
  check_family_run("proactor datagram", BugSet{});
}

}  // namespace
}  // namespace loopcheck::properties

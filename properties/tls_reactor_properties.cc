// Property suite for the driver's TLS reactor (seed 001: the startup exchange over TLS 1.3 with
// session tickets, PSK): RapidCheck generates the scenario, its sizes
// and the schedule; every oracle is checked on every case. Reproduce a failure with the printed
// RC_PARAMS="reproduce=..." line, or replay the reproducer it logs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/property_support.h"

namespace loopcheck::properties {
namespace {

RC_GTEST_PROP(TlsReactorProperties, EveryScheduleOfTheFixedReactorPassesEveryOracle, ()) {
  check_family_run("tls reactor", BugSet{});
}

// The other direction: with a switch on, RapidCheck must find it within 1,000 cases.
TEST(TlsReactorProperties, RapidCheckFindsEachSwitchWithin1000Cases) { expect_each_switch_found("tls reactor"); }

}  // namespace
}  // namespace loopcheck::properties

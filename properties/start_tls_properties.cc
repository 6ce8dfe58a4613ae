// Property suite for start_tls (loop.start_tls and StreamWriter.start_tls over the selector
// and proactor transports, OpenSSL TLS 1.3 PSK): RapidCheck generates the scenario, its sizes
// and the schedule; every oracle is checked on every case. Reproduce a failure with the printed
// RC_PARAMS="reproduce=..." line, or replay the reproducer it logs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/property_support.h"

namespace loopcheck::properties {
namespace {

RC_GTEST_PROP(StartTlsProperties, EveryScheduleOfTheFixedUpgradePassesEveryOracle, ()) {
  check_family_run("start tls", BugSet{});
}

// The other direction: with a switch on, RapidCheck must find it within 1,000 cases.
TEST(StartTlsProperties, RapidCheckFindsEachSwitchWithin1000Cases) { expect_each_switch_found("start tls"); }

}  // namespace
}  // namespace loopcheck::properties

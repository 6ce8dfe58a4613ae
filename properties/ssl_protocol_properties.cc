// Property suite for the SSL protocol (asyncio's sslproto over OpenSSL, TLS 1.3 PSK):
// RapidCheck generates the TLS scenario, its sizes and the schedule; every oracle, O8
// included, is checked on every case. Reproduce a failure with the printed
// RC_PARAMS="reproduce=..." line, or replay the reproducer it logs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "properties/property_support.h"

namespace loopcheck::properties {
namespace {

RC_GTEST_PROP(SslProtocolProperties, EveryScheduleOfTheFixedProtocolPassesEveryOracle, ()) {
  check_family_run("ssl protocol", BugSet{});
}

// The other direction: with a switch on, RapidCheck must find it within 1,000 cases.
TEST(SslProtocolProperties, RapidCheckFindsEachSwitchWithin1000Cases) { expect_each_switch_found("ssl protocol"); }

}  // namespace
}  // namespace loopcheck::properties

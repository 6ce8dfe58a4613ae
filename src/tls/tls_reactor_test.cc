// The driver's TLS reactor: the fix's server_hostname rules, and a connection run by hand
// against the scenario's database server on both paths.
#include "src/tls/tls_reactor.h"

#include <gtest/gtest.h>

#include "model/engines/run.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"
#include "model/world/trace.h"

namespace loopcheck {
namespace {

TEST(ReactorServerHostname, FollowsTheSeedsRules) {
  ReactorOptions options;
  options.endpoint_address = "10.0.0.7";
  EXPECT_EQ(reactor_server_hostname(options), "") << "no check_hostname, none given: empty, which verifies none";
  options.check_hostname = true;
  EXPECT_EQ(reactor_server_hostname(options), "10.0.0.7") << "check_hostname: the endpoint's address";
  options.server_hostname = "db.example";
  EXPECT_EQ(reactor_server_hostname(options), "db.example") << "an explicit one wins";
  options.check_hostname = false;
  EXPECT_EQ(reactor_server_hostname(options), "db.example");
}

// The default schedule of reactor-startup, both ways: the fix reaches READY and its RESULT;
// the seed's SSL socket gets nowhere until the connect timeout, and the trace says why.
TEST(ReactorConnectionRun, TheFixConnectsAndTheSeedsSocketTimesOut) {
  const Scenario* scenario = find_scenario("reactor-startup");
  ASSERT_NE(scenario, nullptr);
  RunSpec fixed = RunSpec::defaults(*scenario);
  RunResult ok = execute(fixed, {}, /*with_trace=*/true);
  EXPECT_EQ(ok.verdict, Verdict::pass) << (ok.violation ? ok.violation->message : "");
  std::string text = format_trace(ok.trace);
  EXPECT_NE(text.find("driver: got READY"), std::string::npos);
  EXPECT_NE(text.find("driver: got RESULT 1"), std::string::npos);

  RunSpec seed = fixed;
  set_switch(seed.bugs, *find_bug("reactor-sslsocket"));
  RunResult hung = execute(seed, {}, true);
  ASSERT_EQ(hung.verdict, Verdict::violation);
  std::string trace = format_trace(hung.trace);
  EXPECT_NE(trace.find("handle_read died: EINVAL: TypeError"), std::string::npos) << trace;
  EXPECT_NE(trace.find("OperationTimedOut"), std::string::npos) << trace;
  EXPECT_EQ(trace.find("driver: got READY"), std::string::npos);
}

}  // namespace
}  // namespace loopcheck

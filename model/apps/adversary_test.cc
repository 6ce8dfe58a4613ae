// The adversarial apps reach what the scripted ones were written for: with the adversary in
// place of each scripted app, the catalog's switches are found again, within the adversary
// scenario's own bounds (the proactor ones with their one fault). bpo-38471 needs a datagram
// send that blocks, so its adversary talks to a slow AF_UNIX receiver rather than over UDP.
#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include <algorithm>

#include "model/engines/exhaustive.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"

namespace loopcheck {
namespace {

struct Reach {
  const char* bug;
  const char* scenario;
};

class AdversaryFinds : public ::testing::TestWithParam<Reach> {};

TEST_P(AdversaryFinds, TheSwitchWithOneOfItsOracles) {
  const CatalogEntry* entry = find_bug(GetParam().bug);
  const Scenario* scenario = find_scenario(GetParam().scenario);
  ASSERT_TRUE(entry && scenario);
  RunSpec spec = RunSpec::defaults(*scenario);
  set_switch(spec.bugs, *entry);
  ExploreLimits limits;
  limits.reduce = true;
  ExploreResult result = explore_exhaustive(spec, limits);
  ASSERT_TRUE(result.counterexample) << entry->id << " not found: " << certificate(spec, result.stats, false);
  Oracle fired = result.counterexample->violation->oracle;
  EXPECT_NE(std::find(entry->oracles.begin(), entry->oracles.end(), fired), entry->oracles.end())
      << oracle_id(fired) << ": " << result.counterexample->violation->message;
}

const Reach kReaches[] = {
    {"dgram-drain", "selector-dgram-adversary"},
    {"gh-91227", "selector-dgram-adversary"},
    {"bpo-38471", "selector-dgram-sink-adversary"},
    {"bpo-27223", "selector-stream-adversary"},
    {"gh-156512", "selector-stream-adversary"},
    {"gh-155888", "selector-stream-adversary"},
    {"gh-103462", "selector-stream-adversary"},
    {"bpo-33694", "proactor-stream-adversary"},
    {"bpo-44428", "proactor-stream-adversary"},
    {"twisted-11020", "proactor-stream-adversary"},
    {"bpo-32710", "proactor-stream-adversary"},
    {"bpo-45159", "ssl-adversary"},
    {"sslproto-flush-abort", "ssl-adversary"},
    {"sslproto-paused-finished", "ssl-adversary"},
    {"bpo-29406", "ssl-adversary-silent-peer"},
    {"gh-109051", "start-tls-adversary"},
    {"sslproto-lost-handshake", "start-tls-adversary"},
    {"reactor-sslsocket", "reactor-adversary"},
};

INSTANTIATE_TEST_SUITE_P(Catalog, AdversaryFinds, ::testing::ValuesIn(kReaches), [](const auto& info) {
  std::string name(info.param.bug);
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
});

// Every catalog switch is in that list: a new switch must be reached by its family's adversary,
// or be named here with the reason the adversary does not reach it.
TEST(AdversaryFinds, EverySwitch) {
  // Before the app holds a transport (the handshake), only the peer and the timing act; and
  // bpo-30698 needs a peer whose close_notify arrives alone while the app has paused reading.
  // gh-142352 needs an app that reads through a StreamReader, whose read-ahead holds the
  // ClientHello; the start_tls adversary is a plain protocol, which reads nothing ahead.
  // proactor-eof-twice needs an app that keeps the connection half-open on EOF; the stream
  // adversary always lets the transport close then (it would have to own the close after).
  // gh-150107 and sendfile-close-hang need loop.sendfile, which the stream adversary does not
  // call: the same body sent twice through the fallback, or a close while os.sendfile has the
  // socket (stream-sendfile and stream-sendfile-abort are the apps that do).
  const std::set<std::string_view> beyond_the_app = {"bpo-33674", "bpo-29743",  "asyncio-472",        "bpo-30698",
                                                     "gh-142352", "proactor-eof-twice", "gh-150107",
                                                     "sendfile-close-hang"};
  for (const CatalogEntry& entry : catalog()) {
    if (entry.bug == Bug::kCount) continue;
    bool reached = std::any_of(std::begin(kReaches), std::end(kReaches),
                               [&](const Reach& r) { return entry.id == r.bug; });
    EXPECT_TRUE(reached || beyond_the_app.count(entry.id))
        << entry.id << " is a new switch: give it an AdversaryFinds case, or the reason no app reaches it";
    EXPECT_FALSE(reached && beyond_the_app.count(entry.id)) << entry.id << " is both reached and beyond the app";
  }
}

}  // namespace
}  // namespace loopcheck

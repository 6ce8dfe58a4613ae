// The OpenSSL engine over memory BIOs, two endpoints in one process: handshakes with a PSK and
// with certificates (TLS 1.2 and 1.3, Ed25519 and P-256), data both ways, close_notify as a
// clean EOF and a transport EOF without it as CPython's SSLEOFError; certificate checks that
// fail the way CPython's SSLCertVerificationError does, at the simulated clock's time; and
// the replay promise: the same seeds and clock give the same bytes on the wire, tickets
// included, and the clock reaches the wire only through tickets; and the same promise kept by
// pooled contexts, whatever engines used them before or use others alongside.
#include "src/tls/openssl_engine.h"

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <vector>

#include "src/tls/certificates.h"
#include "src/tls/deterministic_rand.h"

namespace loopcheck {
namespace {

constexpr std::int64_t kEpoch = 1767225600;  // 2026-01-01: where a simulated clock starts
constexpr std::int64_t kNow = kEpoch + 1000;

// One flight: what one side wrote between two carries.
struct Flight {
  bool from_client = false;
  Bytes bytes;
  bool operator==(const Flight&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Flight& flight) {
  return out << (flight.from_client ? "client" : "server") << " flight of " << flight.bytes.size() << " bytes";
}

// How a test wants its endpoints made; the defaults handshake successfully.
struct Options {
  std::uint64_t client_seed = 1, server_seed = 2;
  int num_tickets = 0;
  std::int64_t now = kNow;  // both ends' clock
  std::string server_hostname = "localhost";
  std::uint64_t ca_seed = 1;  // the client trusts the CA made from this seed
};

// The configurations the simulation can pick: version 0 is TLS 1.3 PSK.
struct Flavor {
  const char* name;
  int version;
  CertificateKey key;
};
void PrintTo(const Flavor& flavor, std::ostream* out) { *out << flavor.name; }

// Certificates for "localhost", made once per process and key, as the simulation does.
const Certificates& certificates(CertificateKey key, std::uint64_t seed) {
  static std::map<std::pair<CertificateKey, std::uint64_t>, Certificates> made;
  auto it = made.find({key, seed});
  if (it == made.end()) {
    CertificateRequest request;
    request.key = key;
    request.seed = seed;
    std::string error;
    std::optional<Certificates> certs = make_certificates(request, error);
    EXPECT_TRUE(certs) << error;
    it = made.emplace(std::pair{key, seed}, certs.value_or(Certificates{})).first;
  }
  return it->second;
}

TlsClock fixed_clock(std::int64_t now) {
  return [now] { return now; };
}

// Two endpoints back to back over memory: each carry moves what either side wrote to the
// other and records it, so `wire` is the run's transcript.
struct Pair {
  std::unique_ptr<OpenSslEngine> client, server;
  std::vector<Flight> wire;
  TlsResult client_handshake{TlsStatus::want_read, 0, {}};
  TlsResult server_handshake{TlsStatus::want_read, 0, {}};

  Pair(const Flavor& flavor, const Options& options) {
    std::string error;
    if (flavor.version == 0) {
      TlsPskConfig config{false, "loopcheck", std::string(32, 'k'), options.client_seed, options.num_tickets,
                          fixed_clock(options.now)};
      client = OpenSslEngine::create_psk(config, error);
      EXPECT_TRUE(client) << error;
      config.server = true;
      config.seed = options.server_seed;
      server = OpenSslEngine::create_psk(config, error);
      EXPECT_TRUE(server) << error;
      return;
    }
    TlsCertConfig config;
    config.version = flavor.version;
    config.num_tickets = options.num_tickets;
    config.now_seconds = fixed_clock(options.now);
    config.seed = options.client_seed;
    config.ca_pem = certificates(flavor.key, options.ca_seed).ca_cert;
    config.server_hostname = options.server_hostname;
    client = OpenSslEngine::create_cert(config, error);
    EXPECT_TRUE(client) << error;
    config = TlsCertConfig{};
    config.server = true;
    config.version = flavor.version;
    config.num_tickets = options.num_tickets;
    config.now_seconds = fixed_clock(options.now);
    config.seed = options.server_seed;
    config.cert_pem = certificates(flavor.key, 1).cert;
    config.key_pem = certificates(flavor.key, 1).key;
    server = OpenSslEngine::create_cert(config, error);
    EXPECT_TRUE(server) << error;
  }
  Pair(std::unique_ptr<OpenSslEngine> c, std::unique_ptr<OpenSslEngine> s)
      : client(std::move(c)), server(std::move(s)) {}

  void carry() {
    for (bool from_client : {true, false}) {
      Bytes flight = (from_client ? client : server)->take_outgoing();
      if (flight.empty()) continue;
      wire.push_back(Flight{from_client, flight});
      (from_client ? server : client)->feed(flight);
    }
  }
  // Drives each handshake until it finishes or fails; true if both finished.
  bool handshake() {
    for (int round = 0; round < 10; ++round) {
      if (client_handshake.status == TlsStatus::want_read) client_handshake = client->do_handshake();
      if (server_handshake.status == TlsStatus::want_read) server_handshake = server->do_handshake();
      carry();
      if (client_handshake.status != TlsStatus::want_read && server_handshake.status != TlsStatus::want_read) break;
    }
    return client_handshake.status == TlsStatus::ok && server_handshake.status == TlsStatus::ok;
  }
  std::string failure() const { return "client: " + client_handshake.reason + "; server: " + server_handshake.reason; }
};

// What asyncio's SSL protocol does with a connection: a message each way, then close_notify
// both ways. Every step reports what CPython's _ssl would. `between` (optional) runs after the
// handshake (`after_handshake`) and after the message each way.
using Between = std::function<void(Pair&)>;
void converse(Pair& pair, const Between& between = {}, bool after_handshake = true) {
  ASSERT_TRUE(pair.handshake()) << pair.failure();
  if (between && after_handshake) between(pair);
  ASSERT_EQ(pair.client->write("ping over tls").bytes, 13u);
  pair.carry();
  Bytes got;
  ASSERT_EQ(pair.server->read(got, 1024).status, TlsStatus::ok);
  EXPECT_EQ(got, "ping over tls");
  EXPECT_EQ(pair.server->read(got, 1024).status, TlsStatus::want_read);

  ASSERT_EQ(pair.server->write("pong").bytes, 4u);
  pair.carry();
  got.clear();
  ASSERT_EQ(pair.client->read(got, 1024).status, TlsStatus::ok);
  EXPECT_EQ(got, "pong");
  EXPECT_EQ(pair.client->read(got, 1024).status, TlsStatus::want_read);
  if (between) between(pair);

  EXPECT_EQ(pair.client->shutdown().status, TlsStatus::want_read);  // sent; the peer's not seen
  pair.carry();
  EXPECT_EQ(pair.server->read(got, 1024).status, TlsStatus::zero_return);
  EXPECT_EQ(pair.server->shutdown().status, TlsStatus::ok);  // answers with its own
  pair.carry();
  EXPECT_EQ(pair.client->shutdown().status, TlsStatus::ok);
}

std::vector<Flight> transcript(const Flavor& flavor, const Options& options) {
  Pair pair(flavor, options);
  if (!pair.client || !pair.server) return {};
  converse(pair);
  return pair.wire;
}

// Reads that wait (want_read) having taken no byte in and put none out, on both ends.
void idle_reads(Pair& pair) {
  for (OpenSslEngine* engine : {pair.client.get(), pair.server.get()}) {
    for (int i = 0; i < 3; ++i) {
      std::size_t in = engine->incoming_pending(), out = engine->outgoing_pending();
      Bytes got;
      ASSERT_EQ(engine->read(got, 1024).status, TlsStatus::want_read);
      ASSERT_TRUE(got.empty());
      ASSERT_EQ(engine->incoming_pending(), in);
      ASSERT_EQ(engine->outgoing_pending(), out);
    }
  }
}

const Flavor kTls13{"Ed25519Tls13", 13, CertificateKey::ed25519};
const Flavor kTls12{"P256Tls12", 12, CertificateKey::p256};

class EveryConfiguration : public testing::TestWithParam<Flavor> {};

TEST_P(EveryConfiguration, HandshakeThenDataBothWaysThenCloseNotify) {
  Flavor flavor = GetParam();
  Pair pair(flavor, Options{});
  ASSERT_TRUE(pair.client && pair.server);
  converse(pair);
  EXPECT_EQ(pair.client->version(), flavor.version == 12 ? "TLSv1.2" : "TLSv1.3");
  EXPECT_EQ(pair.server->cipher(), flavor.version == 12 ? "ECDHE-ECDSA-AES128-GCM-SHA256" : "TLS_AES_128_GCM_SHA256");
  // Only a certificate client has a peer certificate: the server asks for none.
  EXPECT_EQ(pair.client->peer_certificate(), flavor.version == 0 ? "" : "CN=localhost");
  EXPECT_EQ(pair.server->peer_certificate(), "");
}

TEST_P(EveryConfiguration, TheSameSeedsAndClockReplayByteForByteTicketsIncluded) {
  for (int tickets : {0, 2}) {
    Options options;
    options.num_tickets = tickets;
    std::vector<Flight> first = transcript(GetParam(), options);
    std::vector<Flight> second = transcript(GetParam(), options);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first, second) << tickets << " tickets";
    options.server_seed = 3;  // the randomness really comes from the seed
    EXPECT_NE(first, transcript(GetParam(), options)) << tickets << " tickets";
  }
}

// A read that waits having taken no byte in and put none out is left out of the fingerprint
// (SslProtocol::engine_read), so it must leave OpenSSL as it was: both ends then send what they
// send without such reads, byte for byte, tickets included.
TEST_P(EveryConfiguration, AReadThatChangedNothingLeavesTheEngineAsItWas) {
  for (int tickets : {0, 2}) {
    Options options;
    options.num_tickets = tickets;
    Pair plain(GetParam(), options), idle(GetParam(), options);
    ASSERT_TRUE(plain.client && plain.server && idle.client && idle.server);
    converse(plain);
    // With tickets, the client's first read after the handshake takes them: not idle.
    converse(idle, idle_reads, /*after_handshake=*/tickets == 0);
    ASSERT_FALSE(plain.wire.empty());
    EXPECT_EQ(plain.wire, idle.wire) << tickets << " tickets";
  }
}

// Without the ticket stamp, OpenSSL writes time(NULL) into each ticket and the clock changes
// nothing: this test would fail. With it, only the flight that carries the tickets differs.
TEST_P(EveryConfiguration, TheClockReachesTheWireOnlyThroughTickets) {
  Options early, late;
  late.now = early.now + 3600;
  EXPECT_EQ(transcript(GetParam(), early), transcript(GetParam(), late));

  early.num_tickets = late.num_tickets = 2;
  std::vector<Flight> a = transcript(GetParam(), early), b = transcript(GetParam(), late);
  ASSERT_EQ(a.size(), b.size());
  std::vector<std::size_t> differing;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) differing.push_back(i);
  }
  ASSERT_EQ(differing.size(), 1u);
  EXPECT_FALSE(a[differing[0]].from_client);
  EXPECT_EQ(a[differing[0]].bytes.size(), b[differing[0]].bytes.size());
}

// A context taken from the pool gives the bytes a context made afresh gives: the engines that
// made it and had it before (other seeds, tickets, clocks) leave nothing behind. Without the
// reseed at engine creation the last transcript would continue the previous engine's random
// stream; without new ticket keys its tickets would be sealed with the first engine's.
TEST_P(EveryConfiguration, AReusedContextReplaysTheBytesOfAFreshOne) {
  const Flavor flavor = GetParam();
  for (int tickets : {0, 2}) {
    OpenSslEngine::free_idle_contexts();
    Options options;
    options.num_tickets = tickets;
    std::vector<Flight> fresh = transcript(flavor, options);
    ASSERT_FALSE(fresh.empty());
    ASSERT_EQ(OpenSslEngine::idle_contexts(), 2u);  // client's and server's, back in the pool

    // Other engines make new contexts and use them, and contexts of other configurations.
    OpenSslEngine::free_idle_contexts();
    Options other;
    other.client_seed = 5;
    other.server_seed = 6;
    other.num_tickets = 2;
    other.now = kNow + 3600;
    EXPECT_NE(transcript(flavor, other), fresh) << tickets << " tickets";
    for (const Flavor& another : {Flavor{"Psk13", 0, CertificateKey::ed25519}, kTls12, kTls13}) {
      ASSERT_FALSE(transcript(another, other).empty());
    }

    std::size_t idle = OpenSslEngine::idle_contexts();
    Pair again(flavor, options);
    ASSERT_TRUE(again.client && again.server);
    EXPECT_EQ(OpenSslEngine::idle_contexts(), idle - 2);  // both contexts came from the pool
    converse(again);
    EXPECT_EQ(again.wire, fresh) << tickets << " tickets";
  }
}

// Two connections alive at once, their steps interleaved: each has a context of its own and
// sends what it sends when alone.
TEST_P(EveryConfiguration, TwoPairsAliveAtOnceEachSendWhatTheySendAlone) {
  const Flavor flavor = GetParam();
  Options first, second;
  first.num_tickets = second.num_tickets = 2;
  second.client_seed = 3;
  second.server_seed = 4;
  std::vector<Flight> alone_first = transcript(flavor, first), alone_second = transcript(flavor, second);
  ASSERT_FALSE(alone_first.empty());
  ASSERT_NE(alone_first, alone_second);

  Pair a(flavor, first), b(flavor, second);
  ASSERT_TRUE(a.client && a.server && b.client && b.server);
  for (int round = 0; round < 10; ++round) {
    if (b.client_handshake.status == TlsStatus::want_read) b.client_handshake = b.client->do_handshake();
    if (a.client_handshake.status == TlsStatus::want_read) a.client_handshake = a.client->do_handshake();
    if (a.server_handshake.status == TlsStatus::want_read) a.server_handshake = a.server->do_handshake();
    if (b.server_handshake.status == TlsStatus::want_read) b.server_handshake = b.server->do_handshake();
    a.carry();
    b.carry();
  }
  converse(b);
  converse(a);
  EXPECT_EQ(a.wire, alone_first);
  EXPECT_EQ(b.wire, alone_second);
}

INSTANTIATE_TEST_SUITE_P(Configurations, EveryConfiguration,
                         testing::Values(Flavor{"Psk13", 0, CertificateKey::ed25519},
                                         Flavor{"Ed25519Tls12", 12, CertificateKey::ed25519},
                                         Flavor{"Ed25519Tls13", 13, CertificateKey::ed25519},
                                         Flavor{"P256Tls12", 12, CertificateKey::p256},
                                         Flavor{"P256Tls13", 13, CertificateKey::p256}),
                         [](const auto& info) { return std::string(info.param.name); });

// What the SSL protocol sizes its read buffer and its reading back-pressure by: bytes fed and
// not yet taken in by OpenSSL (MemoryBIO.pending), whole records or not.
TEST(OpenSslEngine, IncomingPendingCountsFedBytesUntilTheTlsLayerTakesThem) {
  Pair pair(Flavor{"Psk13", 0, CertificateKey::ed25519}, Options{});
  ASSERT_TRUE(pair.handshake()) << pair.failure();
  pair.server->write("twelve bytes");
  Bytes record = pair.server->take_outgoing();
  ASSERT_GT(record.size(), 12u);
  EXPECT_EQ(pair.client->incoming_pending(), 0u);
  pair.client->feed(BytesView(record).substr(0, 3));
  EXPECT_EQ(pair.client->incoming_pending(), 3u);
  pair.client->feed(BytesView(record).substr(3));
  EXPECT_EQ(pair.client->incoming_pending(), record.size());
  Bytes got;
  EXPECT_EQ(pair.client->read(got, 1024).status, TlsStatus::ok);
  EXPECT_EQ(got, "twelve bytes");
  EXPECT_EQ(pair.client->incoming_pending(), 0u);
}

// A read appends one record's data to what `out` holds, however much room it is offered (the
// SSL protocol offers its whole 256 KiB buffer), and leaves `out` alone when there is none.
TEST(OpenSslEngine, AReadAppendsOneRecordAndNothingWhenThereIsNone) {
  Pair pair(Flavor{"Psk13", 0, CertificateKey::ed25519}, Options{});
  ASSERT_TRUE(pair.handshake()) << pair.failure();
  pair.server->write("abc");
  pair.server->write("defg");
  pair.carry();
  Bytes got = "x";
  EXPECT_EQ(pair.client->read(got, 256 * 1024).bytes, 3u);
  EXPECT_EQ(got, "xabc");
  EXPECT_EQ(pair.client->read(got, 256 * 1024).bytes, 4u);
  EXPECT_EQ(got, "xabcdefg");
  EXPECT_EQ(pair.client->read(got, 256 * 1024).status, TlsStatus::want_read);
  EXPECT_EQ(got, "xabcdefg");
}

// TLS 1.3 tickets come after the server's Finished, so a client read can find nothing but
// tickets: CPython's SSLWantReadError, not an error and not data.
TEST(OpenSslEngine, AReadThatFindsOnlyTicketsWantsMore) {
  for (int tickets : {0, 1, 2}) {
    Options options;
    options.num_tickets = tickets;
    Pair pair(kTls13, options);
    ASSERT_TRUE(pair.handshake()) << pair.failure();
    // ClientHello, the server's flight, the client's Finished, and then the tickets if any.
    ASSERT_EQ(pair.wire.size(), tickets ? 4u : 3u) << tickets << " tickets";
    Bytes got;
    EXPECT_EQ(pair.client->read(got, 1024).status, TlsStatus::want_read);
    EXPECT_EQ(got, "");
    pair.server->write("after the tickets");
    pair.carry();
    EXPECT_EQ(pair.client->read(got, 1024).status, TlsStatus::ok);
    EXPECT_EQ(got, "after the tickets");
  }
}

// A client that closes without reading: its shutdown reads past the tickets to the peer's
// close_notify, with the same 0, WANT_READ, 1 steps as without tickets.
TEST(OpenSslEngine, ShutdownReadsPastUnreadTickets) {
  Options options;
  options.num_tickets = 2;
  Pair pair(kTls13, options);
  ASSERT_TRUE(pair.handshake()) << pair.failure();
  EXPECT_EQ(pair.client->shutdown().status, TlsStatus::want_read);
  pair.carry();
  Bytes got;
  EXPECT_EQ(pair.server->read(got, 1024).status, TlsStatus::zero_return);
  EXPECT_EQ(pair.server->shutdown().status, TlsStatus::ok);
  pair.carry();
  EXPECT_EQ(pair.client->shutdown().status, TlsStatus::ok);
}

TEST(OpenSslEngine, ATransportEofWithoutCloseNotifyIsAnEofError) {
  for (const Flavor& flavor : {Flavor{"Psk13", 0, CertificateKey::ed25519}, kTls13, kTls12}) {
    Pair pair(flavor, Options{});
    ASSERT_TRUE(pair.handshake()) << pair.failure();
    pair.server->feed_eof();
    Bytes got;
    TlsResult r = pair.server->read(got, 1024);
    EXPECT_EQ(r.status, TlsStatus::eof) << flavor.name << ": " << r.reason;
  }
}

// The client's verdict names the check, as SSLCertVerificationError does; the server learns
// of it through the client's alert.
void expect_verification_failure(Pair& pair, const std::string& why) {
  ASSERT_FALSE(pair.handshake());
  EXPECT_EQ(pair.client_handshake.status, TlsStatus::error);
  EXPECT_NE(pair.client_handshake.reason.find("certificate verify failed: " + why), std::string::npos)
      << pair.client_handshake.reason;
  EXPECT_EQ(pair.server_handshake.status, TlsStatus::error);
  EXPECT_NE(pair.server_handshake.reason.find("alert"), std::string::npos) << pair.server_handshake.reason;
}

TEST(OpenSslEngine, AWrongHostnameFailsVerification) {
  for (const Flavor& flavor : {kTls13, kTls12}) {
    Options options;
    options.server_hostname = "other.test";
    Pair pair(flavor, options);
    expect_verification_failure(pair, "Hostname mismatch, certificate is not valid for 'other.test'.");
  }
}

TEST(OpenSslEngine, ACertificateFromAnotherCaFailsVerification) {
  Options options;
  options.ca_seed = 2;  // the client trusts a CA of the same name but another key
  Pair pair(kTls13, options);
  expect_verification_failure(pair, "unable to get local issuer certificate");
}

// The certificates are valid 2026..2036; the clock alone decides, whatever the real date.
TEST(OpenSslEngine, ValidityIsCheckedAtTheClocksTime) {
  for (const Flavor& flavor : {kTls13, kTls12}) {
    Options expired;
    expired.now = 2082758400 + 1;  // 2036-01-01, a second after notAfter
    Pair late(flavor, expired);
    expect_verification_failure(late, "certificate has expired");
    Options early;
    early.now = kEpoch - 1;  // a second before notBefore
    Pair soon(flavor, early);
    expect_verification_failure(soon, "certificate is not yet valid");
  }
}

// The clock is read when the server's certificate arrives, not when the endpoint is made.
TEST(OpenSslEngine, TheClockIsReadWhenTheCertificateIsChecked) {
  auto now = std::make_shared<std::int64_t>(kNow);
  TlsCertConfig client_config;
  client_config.ca_pem = certificates(CertificateKey::ed25519, 1).ca_cert;
  client_config.server_hostname = "localhost";
  client_config.now_seconds = [now] { return *now; };
  TlsCertConfig server_config;
  server_config.server = true;
  server_config.cert_pem = certificates(CertificateKey::ed25519, 1).cert;
  server_config.key_pem = certificates(CertificateKey::ed25519, 1).key;
  server_config.seed = 1;
  std::string error;
  Pair pair(OpenSslEngine::create_cert(client_config, error), OpenSslEngine::create_cert(server_config, error));
  ASSERT_TRUE(pair.client && pair.server) << error;
  *now = 2082758400 + 1;
  expect_verification_failure(pair, "certificate has expired");
}

// With no clock OpenSSL reads the real one: a certificate valid for a day around the real
// time passes, and the same one checked at a clock ten days earlier does not.
TEST(OpenSslEngine, WithoutAClockTheRealTimeDecides) {
  std::int64_t real_now = std::time(nullptr);
  CertificateRequest request;
  request.not_before = real_now - 86400;
  request.not_after = real_now + 86400;
  std::string error;
  std::optional<Certificates> certs = make_certificates(request, error);
  ASSERT_TRUE(certs) << error;
  for (bool pinned : {false, true}) {
    TlsCertConfig client_config;
    client_config.ca_pem = certs->ca_cert;
    client_config.server_hostname = "localhost";
    if (pinned) client_config.now_seconds = fixed_clock(real_now - 10 * 86400);
    TlsCertConfig server_config;
    server_config.server = true;
    server_config.cert_pem = certs->cert;
    server_config.key_pem = certs->key;
    Pair pair(OpenSslEngine::create_cert(client_config, error), OpenSslEngine::create_cert(server_config, error));
    ASSERT_TRUE(pair.client && pair.server) << error;
    if (pinned) {
      expect_verification_failure(pair, "certificate is not yet valid");
    } else {
      EXPECT_TRUE(pair.handshake()) << pair.failure();
    }
  }
}

TEST(OpenSslEngine, BadCertificateConfigurationsAreRefusedUpFront) {
  std::string error;
  TlsCertConfig config;
  config.ca_pem = certificates(CertificateKey::ed25519, 1).ca_cert;
  config.server_hostname = "localhost";
  config.version = 11;
  EXPECT_FALSE(OpenSslEngine::create_cert(config, error));
  EXPECT_NE(error.find("12 or 13"), std::string::npos) << error;
  config.version = 13;
  config.server_hostname = "";
  EXPECT_FALSE(OpenSslEngine::create_cert(config, error));
  EXPECT_NE(error.find("server_hostname"), std::string::npos) << error;
  config.server_hostname = "localhost";
  config.ca_pem = "not a certificate";
  EXPECT_FALSE(OpenSslEngine::create_cert(config, error));
  EXPECT_NE(error.find("ca_pem"), std::string::npos) << error;

  TlsCertConfig server;
  server.server = true;
  server.cert_pem = certificates(CertificateKey::ed25519, 1).cert;
  server.key_pem = certificates(CertificateKey::p256, 1).key;  // not the certificate's key
  EXPECT_FALSE(OpenSslEngine::create_cert(server, error));
  EXPECT_NE(error.find("loading the server's certificate and key"), std::string::npos) << error;
}

// The PSK and the clock are each engine's own even on a context another engine used: the
// callbacks find the engine through the SSL, not through the shared SSL_CTX.
TEST(OpenSslEngine, EachEngineOnAReusedContextAnswersWithItsOwnPskAndClock) {
  auto psk_pair = [](char client_key) {
    std::string error;
    TlsPskConfig config{false, "loopcheck", std::string(32, client_key), 1, 0, fixed_clock(kNow)};
    std::unique_ptr<OpenSslEngine> client = OpenSslEngine::create_psk(config, error);
    config.server = true;
    config.key = std::string(32, 'k');
    config.seed = 2;
    return Pair(std::move(client), OpenSslEngine::create_psk(config, error));
  };
  for (char client_key : {'k', 'x', 'k'}) {
    Pair pair = psk_pair(client_key);
    ASSERT_TRUE(pair.client && pair.server);
    EXPECT_EQ(pair.handshake(), client_key == 'k') << client_key << ": " << pair.failure();
  }
  for (std::int64_t now : {kNow, std::int64_t{2082758400 + 1}, kNow}) {
    Options options;
    options.now = now;
    Pair pair(kTls13, options);
    if (now == kNow) {
      EXPECT_TRUE(pair.handshake()) << pair.failure();
    } else {
      expect_verification_failure(pair, "certificate has expired");
    }
  }
}

// What lets a pooled context serve a new seed: reseeding a context that has been drawn from
// gives the bytes of a context just made with that seed, from the public and the private
// generator alike.
TEST(DeterministicLibCtx, ReseedGivesTheBytesOfAContextJustMadeWithTheSeed) {
  auto draw = [](DeterministicLibCtx& lib) {
    unsigned char bytes[2][40];
    EXPECT_EQ(RAND_bytes_ex(lib.get(), bytes[0], sizeof bytes[0], 0), 1);
    EXPECT_EQ(RAND_priv_bytes_ex(lib.get(), bytes[1], sizeof bytes[1], 0), 1);
    return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
  };
  std::unique_ptr<DeterministicLibCtx> fresh = DeterministicLibCtx::create(7);
  std::unique_ptr<DeterministicLibCtx> used = DeterministicLibCtx::create(9);
  ASSERT_TRUE(fresh && used);
  std::string expected = draw(*fresh);
  std::string before = draw(*used);
  EXPECT_NE(before, expected);
  used->reseed(7);
  EXPECT_EQ(draw(*used), expected);
  used->reseed(9);
  EXPECT_EQ(draw(*used), before);
}

}  // namespace
}  // namespace loopcheck

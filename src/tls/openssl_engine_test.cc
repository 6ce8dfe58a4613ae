// The OpenSSL engine over memory BIOs: a TLS 1.3 PSK handshake between two endpoints in one
// process, replayed byte for byte from the same seeds; application data both ways; close_notify
// as a clean EOF, and a transport EOF without it as CPython's SSLEOFError.
#include "src/tls/openssl_engine.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace loopcheck {
namespace {

struct Pair {
  std::unique_ptr<OpenSslEngine> client, server;
  std::vector<Bytes> wire;  // every flight, in the order it crossed

  Pair(std::uint64_t client_seed, std::uint64_t server_seed) {
    std::string error;
    client = OpenSslEngine::create_psk(TlsPskConfig{false, "loopcheck", std::string(32, 'k'), client_seed}, error);
    EXPECT_TRUE(client) << error;
    server = OpenSslEngine::create_psk(TlsPskConfig{true, "loopcheck", std::string(32, 'k'), server_seed}, error);
    EXPECT_TRUE(server) << error;
  }
  // Moves whatever each side has written to the other.
  void carry() {
    for (auto [from, to] : {std::pair{client.get(), server.get()}, std::pair{server.get(), client.get()}}) {
      Bytes flight = from->take_outgoing();
      if (flight.empty()) continue;
      wire.push_back(flight);
      to->feed(flight);
    }
  }
  bool handshake() {
    for (int round = 0; round < 10; ++round) {
      TlsResult c = client->do_handshake();
      TlsResult s = server->do_handshake();
      carry();
      if (c.status == TlsStatus::ok && s.status == TlsStatus::ok) return true;
      if (c.status == TlsStatus::error || s.status == TlsStatus::error) {
        ADD_FAILURE() << "handshake failed: " << c.reason << " / " << s.reason;
        return false;
      }
    }
    return false;
  }
};

TEST(OpenSslEngine, APskHandshakeCompletesOverMemoryBios) {
  Pair pair(1, 2);
  ASSERT_TRUE(pair.client && pair.server);
  ASSERT_TRUE(pair.handshake());
  EXPECT_EQ(pair.client->version(), "TLSv1.3");
  EXPECT_EQ(pair.server->cipher(), "TLS_AES_128_GCM_SHA256");
}

// The simulation's promise: the same seeds give the same bytes on the wire, and another seed
// gives other bytes (the randomness really comes from the seed).
TEST(OpenSslEngine, TheSameSeedsReplayTheHandshakeByteForByte) {
  Pair first(7, 8), second(7, 8), other(7, 9);
  ASSERT_TRUE(first.handshake() && second.handshake() && other.handshake());
  EXPECT_EQ(first.wire, second.wire);
  EXPECT_NE(first.wire, other.wire);
}

TEST(OpenSslEngine, DataBothWaysThenCloseNotifyIsACleanEof) {
  Pair pair(3, 4);
  ASSERT_TRUE(pair.handshake());
  ASSERT_EQ(pair.client->write("hello over tls").bytes, 14u);
  pair.carry();
  Bytes got;
  ASSERT_EQ(pair.server->read(got, 1024).status, TlsStatus::ok);
  EXPECT_EQ(got, "hello over tls");
  EXPECT_EQ(pair.server->read(got, 1024).status, TlsStatus::want_read);

  EXPECT_EQ(pair.client->shutdown().status, TlsStatus::want_read);  // sent; the peer's not seen
  pair.carry();
  EXPECT_EQ(pair.server->read(got, 1024).status, TlsStatus::zero_return);
  EXPECT_EQ(pair.server->shutdown().status, TlsStatus::ok);  // answers with its own
  pair.carry();
  EXPECT_EQ(pair.client->shutdown().status, TlsStatus::ok);
}

TEST(OpenSslEngine, ATransportEofWithoutCloseNotifyIsAnEofError) {
  Pair pair(5, 6);
  ASSERT_TRUE(pair.handshake());
  pair.server->feed_eof();
  Bytes got;
  TlsResult r = pair.server->read(got, 1024);
  EXPECT_EQ(r.status, TlsStatus::eof) << r.reason;
}

}  // namespace
}  // namespace loopcheck

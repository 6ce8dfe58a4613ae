// asyncio's loop.start_tls (Lib/asyncio/base_events.py, CPython 3.13): upgrades a connected
// plain stream transport to TLS in place. It pauses reading, installs an SSL protocol as the
// transport's protocol, and on the next turns calls that protocol's connection_made and resumes
// reading; the caller's protocol gets no second connection_made and from then on talks to the
// SSL transport. The plain transport belongs to the SSL protocol afterwards.
//
// Two catalog switches sit here, where their fixes live: gh-109051 (the SSL protocol is not
// told that the transport had paused writing) and gh-142352 (a stream's read-ahead is left
// behind instead of handed to the handshake).
#pragma once

#include <functional>

#include "src/core/bugs.h"
#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/transport.h"
#include "src/tls/ssl_protocol.h"

namespace loopcheck {

// The SSL protocol start_tls installs, and the transport the caller's code uses from then on:
// its app_transport(), or what stands in front of it (the simulation's monitor).
struct TlsUpgrade {
  SslProtocol& protocol;
  Transport& transport;
};

// Makes the SSL protocol that start_tls installs (asyncio constructs it inline; the simulation
// puts its monitor between it and the app first). The caller owns what it returns.
using SslProtocolFactory = std::function<TlsUpgrade(const SslOptions&, SslWaiter)>;

// start_tls's result, on a later turn: the error (the transport is then closed), or the new
// transport. Both empty is asyncio 3.13's `None`: the waiter was woken without an error after
// the connection was already lost (sslproto-lost-handshake).
using StartTlsDone = std::function<void(std::optional<Error> error, Transport* transport)>;

// `protocol` is the caller's protocol, the transport's until now. `options.call_connection_made`
// and `options.writing_paused` are start_tls's to set.
TlsUpgrade start_tls(Loop& loop, const BugSet& bugs, Transport& transport, Protocol& protocol, SslOptions options,
                     const SslProtocolFactory& make, StartTlsDone done);

}  // namespace loopcheck

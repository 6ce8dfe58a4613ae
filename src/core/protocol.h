// asyncio's protocol callbacks, with the same names so asyncio users recognise them.
// The grammar the transports must respect (oracle O1): connection_made at most once, then
// data_received*, then eof_received at most once, then connection_lost exactly once.
#pragma once

#include <optional>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/socket_api.h"

namespace loopcheck {

class Transport;
class DatagramTransport;

class BaseProtocol {
 public:
  virtual ~BaseProtocol() = default;
  virtual void connection_lost(std::optional<Error> error) = 0;
  virtual void pause_writing() {}
  virtual void resume_writing() {}
};

class Protocol : public BaseProtocol {
 public:
  virtual void connection_made(Transport& transport) = 0;
  virtual void data_received(BytesView data) = 0;
  // Returning true keeps the connection half-open; false lets the transport close itself.
  virtual bool eof_received() { return false; }
};

class DatagramProtocol : public BaseProtocol {
 public:
  virtual void connection_made(DatagramTransport& transport) = 0;
  virtual void datagram_received(BytesView data, const Address& from) = 0;
  virtual void error_received(const Error& error) = 0;
};

}  // namespace loopcheck

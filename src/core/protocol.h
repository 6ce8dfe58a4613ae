// asyncio's protocol callbacks, with the same names so asyncio users recognise them.
// The grammar the transports must respect (oracle O1): connection_made at most once, then
// data_received*, then eof_received at most once, then connection_lost exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/socket_api.h"

namespace loopcheck {

class Transport;
class DatagramTransport;
class BufferedProtocol;

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
  // Non-null for asyncio's BufferedProtocol (the transport's isinstance check): a selector
  // transport then receives straight into the protocol's buffer (asyncio's recv_into path).
  virtual BufferedProtocol* as_buffered() { return nullptr; }
};

// asyncio's _feed_data_to_buffered_proto: copies `data` into as many of the protocol's buffers
// as it takes. False if the protocol lent an empty buffer (asyncio's RuntimeError), which the
// transport must treat as a fatal error of the connection.
[[nodiscard]] bool feed_buffered(BufferedProtocol& protocol, BytesView data);

// asyncio's BufferedProtocol: the protocol lends the transport a buffer to receive into
// (get_buffer), and hears how much landed there (buffer_updated). A transport that has its bytes
// in hand already (the proactor's own recv buffer) copies them in with feed_buffered.
class BufferedProtocol : public Protocol {
 public:
  // sizehint < 0: no hint. An empty buffer is the protocol's error (asyncio raises RuntimeError).
  virtual std::span<char> get_buffer(std::int64_t sizehint) = 0;
  virtual void buffer_updated(std::size_t nbytes) = 0;
  // Bytes already in hand: copied in through get_buffer/buffer_updated (see feed_buffered).
  void data_received(BytesView data) override { (void)feed_buffered(*this, data); }
  BufferedProtocol* as_buffered() override { return this; }
};

class DatagramProtocol : public BaseProtocol {
 public:
  virtual void connection_made(DatagramTransport& transport) = 0;
  virtual void datagram_received(BytesView data, const Address& from) = 0;
  virtual void error_received(const Error& error) = 0;
};

}  // namespace loopcheck

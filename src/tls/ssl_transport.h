// asyncio's _SSLProtocolTransport: the transport an app protocol gets over TLS. It owns no
// state of its own beyond `closed`; every call goes to the SslProtocol beneath it. Like asyncio's,
// it cannot half-close (write_eof is refused: TLS 1.3 could, asyncio does not), and is_reading()
// says only whether the app paused reading.
#pragma once

#include <optional>
#include <string>

#include "src/core/transport.h"

namespace loopcheck {

class SslProtocol;

class SslTransport final : public Transport {
 public:
  explicit SslTransport(SslProtocol& protocol) : protocol_(protocol) {}

  Status write(BytesView data) override;
  Status write_eof() override;
  bool can_write_eof() const override { return false; }
  void close() override;
  void abort() override;
  void force_close(std::optional<Error> error) override;
  // Closed itself, or the transport beneath is closing (3.13.1's gh-118950: a writer's drain()
  // then sees the loss at once instead of waiting on a transport that is going away).
  bool is_closing() const override;
  void pause_reading() override;
  void resume_reading() override;
  bool is_reading() const override;
  Status set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) override;
  WriteLimits get_write_buffer_limits() const override;
  std::size_t get_write_buffer_size() const override;
  void set_protocol(Protocol& protocol) override;
  Protocol& get_protocol() const override;
  // "ssl_object", "cipher", "version", "peercert", "compression" once the handshake is done;
  // anything else from the transport beneath.
  std::optional<std::string> get_extra_info(std::string_view name) const override;
  // os.sendfile cannot write through TLS: loop.sendfile reads the file and writes it here.
  SendfileMode sendfile_mode() const override { return SendfileMode::fallback; }

  // The protocol marks the transport closed when it starts its shutdown or loses the connection.
  void mark_closed() { closed_ = true; }
  bool closed() const { return closed_; }

 private:
  SslProtocol& protocol_;
  bool closed_ = false;
};

}  // namespace loopcheck

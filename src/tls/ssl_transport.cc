#include "src/tls/ssl_transport.h"

#include "src/tls/ssl_protocol.h"

namespace loopcheck {

Status SslTransport::write(BytesView data) {
  if (data.empty()) return std::nullopt;
  return protocol_.write_appdata(data);
}

// asyncio raises NotImplementedError: TLS has no half-close here.
Status SslTransport::write_eof() {
  return make_error(Errc::unsupported, "write_eof() is not supported over SSL");
}

// A second close() only drops asyncio's reference to the protocol; nothing more happens.
void SslTransport::close() {
  if (closed_) return;
  closed_ = true;
  protocol_.start_shutdown();
}

void SslTransport::abort() {
  closed_ = true;
  protocol_.abort(std::nullopt);
}

void SslTransport::force_close(std::optional<Error> error) {
  closed_ = true;
  protocol_.abort(std::move(error));
}

void SslTransport::pause_reading() { protocol_.pause_app_reading(); }
void SslTransport::resume_reading() { protocol_.resume_app_reading(); }
bool SslTransport::is_closing() const { return closed_ || protocol_.transport_closing(); }

bool SslTransport::is_reading() const { return !protocol_.app_reading_paused(); }

Status SslTransport::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
  return protocol_.set_write_buffer_limits(high, low);
}

WriteLimits SslTransport::get_write_buffer_limits() const { return protocol_.write_buffer_limits(); }
std::size_t SslTransport::get_write_buffer_size() const { return protocol_.write_buffer_size(); }
void SslTransport::set_protocol(Protocol& protocol) { protocol_.set_app_protocol(protocol); }
Protocol& SslTransport::get_protocol() const { return protocol_.app_protocol(); }

std::optional<std::string> SslTransport::get_extra_info(std::string_view name) const {
  return protocol_.extra_info(name);
}

}  // namespace loopcheck

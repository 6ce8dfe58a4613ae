// asyncio's transport API. Methods that asyncio answers with an exception on misuse return a
// Status here instead, so misuse is visible without exceptions crossing callbacks.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/socket_api.h"

namespace loopcheck {

class BaseProtocol;
class Protocol;
class DatagramProtocol;

// asyncio's _SendfileMode: how loop.sendfile may use a transport. try_native transports let
// os.sendfile write to their socket once their buffer is empty; fallback ones are written to
// in blocks read from the file; unsupported ones refuse.
enum class SendfileMode { unsupported, try_native, fallback };

struct WriteLimits {
  std::size_t high = 0;
  std::size_t low = 0;
};

class BaseTransport {
 public:
  virtual ~BaseTransport() = default;
  virtual void close() = 0;
  virtual bool is_closing() const = 0;
  // Known keys: "sockname", "peername", "socket" (the fd), "datagrams_discarded".
  virtual std::optional<std::string> get_extra_info(std::string_view name) const = 0;
};

class WriteTransport : public virtual BaseTransport {
 public:
  virtual void abort() = 0;
  // high/low follow asyncio: missing high = 4*low or 64 KiB, missing low = high/4;
  // anything but high >= low >= 0 is an error and changes nothing.
  [[nodiscard]] virtual Status set_write_buffer_limits(std::optional<std::size_t> high,
                                                       std::optional<std::size_t> low) = 0;
  virtual WriteLimits get_write_buffer_limits() const = 0;
  virtual std::size_t get_write_buffer_size() const = 0;
  // asyncio's private _protocol_paused: the protocol was told pause_writing() and not yet
  // resume_writing(). start_tls hands it to the SSL protocol it installs (gh-109051). A
  // transport without its own flow-control state answers as CPython's fix does for such
  // transports: the buffer is above the high-water mark.
  virtual bool protocol_paused() const { return get_write_buffer_size() > get_write_buffer_limits().high; }
};

class Transport : public WriteTransport {
 public:
  virtual Status write(BytesView data) = 0;
  // asyncio's default: the chunks joined into one write(). The selector stream transport has its
  // own (3.12+): the chunks go into its buffer as they are and leave by sendmsg.
  virtual Status writelines(const std::vector<Bytes>& chunks);
  [[nodiscard]] virtual Status write_eof() = 0;
  virtual bool can_write_eof() const = 0;
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;
  virtual bool is_reading() const = 0;
  virtual void set_protocol(Protocol& protocol) = 0;
  virtual Protocol& get_protocol() const = 0;
  // asyncio's private _force_close(exc), which the SSL protocol calls on the transport beneath
  // it: abort() whose connection_lost carries `error`.
  virtual void force_close(std::optional<Error> error) = 0;

  // loop.sendfile's view of the transport (asyncio's _sendfile_compatible).
  virtual SendfileMode sendfile_mode() const { return SendfileMode::unsupported; }
  // try_native transports: the selector loop's registry of transports by fd, which a native
  // sendfile takes the transport out of for its duration (`del loop._transports[fd]`, a
  // KeyError when another sendfile already has) and puts back in its finally.
  virtual Status take_from_registry();
  virtual void return_to_registry() {}
  // try_native transports: the socket os.sendfile writes to (asyncio's transp._sock); empty
  // once connection_lost has closed it.
  virtual std::optional<int> sendfile_socket() const { return std::nullopt; }
  // try_native transports: asyncio's _make_empty_waiter. `done` runs once the write buffer is
  // empty (at once when it is), or with the error that ends the connection first; until
  // reset_empty_waiter(), write() and writelines() are refused, as asyncio's "unable to write;
  // sendfile is in progress". An error if a waiter is already set.
  virtual Status make_empty_waiter(std::function<void(Status)> done);
  virtual void reset_empty_waiter() {}
};

class DatagramTransport : public WriteTransport {
 public:
  // to empty = the connected peer.
  virtual Status sendto(BytesView data, const Address& to = {}) = 0;
  virtual void set_protocol(DatagramProtocol& protocol) = 0;
  virtual DatagramProtocol& get_protocol() const = 0;
};

}  // namespace loopcheck

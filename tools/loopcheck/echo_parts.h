// The echo client and server that `real echo`, `real load` and the throughput benchmark share:
// a pattern writer with flow control and timed pause/resume, a backpressured echo server, and
// xxHash checksums over each direction. Every protocol counts its connection_lost calls.
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <optional>
#include <string>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/transport.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {

// A repeating pattern with a prime period, so a byte that lands in the wrong place shows.
class Pattern {
 public:
  Pattern() : block_(kChunk + kPeriod, '\0') {
    for (std::size_t i = 0; i < block_.size(); ++i) block_[i] = static_cast<char>(i % kPeriod);
  }
  BytesView at(std::size_t offset, std::size_t n) const { return BytesView(block_).substr(offset % kPeriod, n); }
  static constexpr std::size_t kChunk = 64 * 1024;

 private:
  static constexpr std::size_t kPeriod = 251;
  Bytes block_;
};

class Checksum {
 public:
  Checksum() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~Checksum() { XXH3_freeState(state_); }
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void add(BytesView data) {
    if (enabled) XXH3_64bits_update(state_, data.data(), data.size());
    bytes_ += data.size();
  }
  bool enabled = true;
  std::uint64_t digest() const { return XXH3_64bits_digest(state_); }
  std::size_t bytes() const { return bytes_; }

 private:
  XXH3_state_t* state_;
  std::size_t bytes_ = 0;
};

class EchoServer final : public Protocol {
 public:
  void connection_made(Transport& t) override { transport_ = &t; }
  void data_received(BytesView data) override { (void)transport_->write(data); }
  bool eof_received() override { return false; }  // close once everything is echoed
  void connection_lost(std::optional<Error> error) override {
    ++lost;
    this->error = error;
  }
  void pause_writing() override { transport_->pause_reading(); }  // backpressure
  void resume_writing() override { transport_->resume_reading(); }
  int lost = 0;  // connection_lost calls: exactly one is the only right answer
  std::optional<Error> error;

 private:
  Transport* transport_ = nullptr;
};

class EchoClient final : public Protocol {
 public:
  // reset_after > 0: once that many bytes are back, abort with SO_LINGER 0, an RST mid-stream.
  EchoClient(Loop& loop, const EchoOptions& options, std::size_t reset_after = 0)
      : loop_(loop), options_(options), reset_after_(reset_after) {
    sent.enabled = received.enabled = options.checked;
  }
  void connection_made(Transport& t) override {
    transport_ = &t;
    pump();
    if (options_.pause_every_ms > 0) schedule_toggle();
  }
  void data_received(BytesView data) override {
    received.add(data);
    if (reset_after_ > 0 && received.bytes() >= reset_after_ && !reset_) {
      reset();
      return;
    }
    if (options_.tls && received.bytes() == options_.bytes) transport_->close();
    if (options_.window > 0) pump();  // the echo opened the window again
  }
  bool eof_received() override { return false; }
  void connection_lost(std::optional<Error> error) override {
    ++lost;
    this->error = error;
    toggle_.cancel();
  }
  bool was_reset() const { return reset_; }
  void pause_writing() override { writing_paused_ = true; }
  void resume_writing() override {
    writing_paused_ = false;
    pump();
  }
  Checksum sent, received;
  int lost = 0;
  std::optional<Error> error;
  int pauses = 0;

 private:
  // Writes until the transport pauses it, all is sent, or (with a window) it is that far ahead.
  void pump() {
    while (!writing_paused_ && sent.bytes() < options_.bytes && !reset_) {
      std::size_t room = options_.bytes - sent.bytes();
      if (options_.window > 0) {
        std::size_t ahead = sent.bytes() - received.bytes();
        if (ahead >= options_.window) return;
        room = std::min(room, options_.window - ahead);
      }
      BytesView chunk = pattern_.at(sent.bytes(), std::min(write_size(), room));
      if (transport_->write(chunk)) return;  // an error; connection_lost will say which
      sent.add(chunk);
    }
    if (sent.bytes() == options_.bytes && !eof_sent_) {
      eof_sent_ = true;
      if (!options_.tls) (void)transport_->write_eof();
    }
  }
  std::size_t write_size() const { return std::clamp<std::size_t>(options_.write_size, 1, Pattern::kChunk); }
  void reset() {
    reset_ = true;
    std::optional<std::string> fd = transport_->get_extra_info("socket");
    linger off{1, 0};
    if (fd) setsockopt(std::stoi(*fd), SOL_SOCKET, SO_LINGER, &off, sizeof off);
    transport_->abort();
  }
  void schedule_toggle() {
    toggle_ = loop_.call_later(options_.pause_every_ms * kMillisecond, Tag{this, "toggle_reading"}, [this] {
      if (transport_->is_reading()) {
        transport_->pause_reading();
        ++pauses;
      } else {
        transport_->resume_reading();
      }
      schedule_toggle();
    });
  }
  Loop& loop_;
  EchoOptions options_;
  Transport* transport_ = nullptr;
  Pattern pattern_;
  bool writing_paused_ = false;
  bool eof_sent_ = false;
  std::size_t reset_after_;
  bool reset_ = false;
  TimerHandle toggle_;
};

}  // namespace loopcheck::cli

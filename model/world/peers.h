// Scripted peers: the far end of each connection, acting through the FakeKernel like another
// process would. Each action is armed when it first becomes possible and must happen within
// `reaction` of that moment; when exactly, relative to everything else, is the world's choice.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "model/world/fake_kernel.h"
#include "model/oracles/peer_view.h"
#include "model/world/pending_event.h"

namespace loopcheck {

class ScriptedPeer : public EventSource {
 public:
  static constexpr Nanos kDefaultReaction = 50 * kMicrosecond;

  ScriptedPeer(FakeKernel& kernel, int fd, std::string name, Nanos reaction = kDefaultReaction);

  void collect(Nanos now, std::vector<PendingEvent>& out) final;
  void fire(const PendingEvent& event) final;
  std::string describe(const PendingEvent& event) const final;
  Component component() const final { return Component::peer; }
  int fd() const { return fd_; }
  // A peer acts on its own socket and what footprint() names: its reach, when that is known.
  Reach reach(const PendingEvent& event) const final;
  int home_fd() const final { return fd_; }
  Reach standing_reach() const final { return reach(PendingEvent{}); }
  void fingerprint(StateHasher& hasher) const final;

 protected:
  static constexpr int kMaxActions = 3;
  virtual int action_count() const = 0;
  virtual bool can(int action) const = 0;
  virtual Nanos not_before(int) const { return 0; }
  virtual void act(int action) = 0;
  virtual const char* action_name(int action) const = 0;
  virtual void fingerprint_more(StateHasher& hasher) const = 0;  // the subclass's own state

  FakeKernel& kernel_;
  int fd_;
  std::string name_;
  bool closed_ = false;

 private:
  Nanos reaction_;
  std::array<Nanos, kMaxActions> armed_;
};

// A stream peer remembers what its socket accepted and what it read, for O2.
class StreamPeer : public ScriptedPeer, public StreamPeerView {
 public:
  using ScriptedPeer::ScriptedPeer;
  std::pair<int, int> footprint(const PendingEvent&) const override {
    return {fd_, kernel_.stream_peer(fd_)};
  }
  const Bytes& sent() const override { return sent_; }
  const Bytes& received() const override { return received_; }
  bool reads_to_eof() const override { return true; }

 protected:
  // Reads everything available. Returns false if the connection died (reset): the peer closed.
  bool read_available();
  // Sends as much of outbox_ as fits.
  void flush();
  void close_socket();

  void fingerprint_more(StateHasher& h) const override {
    h.text(sent_);
    h.text(received_);
    h.text(outbox_);
    h.value(saw_eof_);
    fingerprint_stream_peer(h);
  }
  virtual void fingerprint_stream_peer(StateHasher&) const {}

  Bytes sent_;
  Bytes received_;
  Bytes outbox_;
  bool saw_eof_ = false;
};

// Echoes every byte back; closes after EOF once everything is echoed.
class EchoPeer final : public StreamPeer {
 public:
  using StreamPeer::StreamPeer;

 protected:
  int action_count() const override { return 1; }
  bool can(int action) const override;
  void act(int action) override;
  const char* action_name(int) const override { return "echo"; }
};

// Reads and discards; closes after EOF.
class SinkPeer final : public StreamPeer {
 public:
  using StreamPeer::StreamPeer;

 protected:
  int action_count() const override { return 1; }
  bool can(int action) const override;
  void act(int action) override;
  const char* action_name(int) const override { return "read"; }
};

// Sends `total` bytes in chunks, then ends with FIN (shutdown) or RST (abortive close); reads
// whatever comes back until EOF.
class SenderPeer final : public StreamPeer {
 public:
  enum class Ending { fin, rst };
  SenderPeer(FakeKernel& kernel, int fd, std::string name, std::size_t total, std::size_t chunk,
             Ending ending, Nanos reaction = kDefaultReaction);
  bool reads_to_eof() const override { return ending_ == Ending::fin; }
  static Bytes payload(std::size_t offset, std::size_t size);

 protected:
  int action_count() const override { return 2; }
  bool can(int action) const override;
  void act(int action) override;
  const char* action_name(int action) const override { return action == 0 ? "send" : "read"; }

 private:
  void fingerprint_stream_peer(StateHasher& h) const override { h.value(done_sending_); }
  std::size_t total_;
  std::size_t chunk_;
  Ending ending_;
  bool done_sending_ = false;
};

// Never reads, never writes, never closes: the peer that does not answer.
class SilentPeer final : public StreamPeer {
 public:
  using StreamPeer::StreamPeer;
  bool reads_to_eof() const override { return false; }

 protected:
  int action_count() const override { return 0; }
  bool can(int) const override { return false; }
  void act(int) override {}
  const char* action_name(int) const override { return "none"; }
};

// Sends `count` datagrams of `size` bytes to `to`, waiting (as a blocking sendto does) while
// its receiver's queue is full rather than retrying into EAGAIN at the same instant.
class DatagramSenderPeer final : public ScriptedPeer {
 public:
  DatagramSenderPeer(FakeKernel& kernel, int fd, std::string name, Address to, std::size_t count,
                     std::size_t size);
  std::size_t sent() const { return sent_; }
  std::pair<int, int> footprint(const PendingEvent&) const override {
    return {fd_, kernel_.bound_fd(to_)};
  }

 protected:
  int action_count() const override { return 1; }
  bool can(int action) const override;
  void act(int action) override;
  const char* action_name(int) const override { return "sendto"; }

 private:
  void fingerprint_more(StateHasher& h) const override { h.value(sent_); }
  Address to_;
  std::size_t count_;
  std::size_t size_;
  std::size_t sent_ = 0;
};

// Binds `address` (at once when bind_after is 0; later to model a server that is not up yet),
// then answers every datagram with the same bytes.
class DatagramEchoPeer final : public ScriptedPeer {
 public:
  DatagramEchoPeer(FakeKernel& kernel, int fd, std::string name, Address address, Nanos bind_after);

 protected:
  int action_count() const override { return 2; }
  bool can(int action) const override;
  Nanos not_before(int action) const override { return action == 0 ? bind_after_ : 0; }
  void act(int action) override;
  const char* action_name(int action) const override { return action == 0 ? "bind" : "echo"; }

 private:
  void fingerprint_more(StateHasher& h) const override {
    h.value(bound_);
    if (!bound_) h.time(bind_after_);  // a date: how long until it may bind is what matters
  }
  Address address_;
  Nanos bind_after_;
  bool bound_ = false;
};

// Reads one datagram per action: a slow consumer whose queue fills up.
class DatagramSlowSinkPeer final : public ScriptedPeer {
 public:
  using ScriptedPeer::ScriptedPeer;
  std::size_t received() const { return received_; }
  std::pair<int, int> footprint(const PendingEvent&) const override { return {fd_, -1}; }

 protected:
  int action_count() const override { return 1; }
  bool can(int action) const override;
  void act(int action) override;
  const char* action_name(int) const override { return "recvfrom one"; }
  void fingerprint_more(StateHasher& h) const override { h.value(received_); }

 private:
  std::size_t received_ = 0;
};

}  // namespace loopcheck

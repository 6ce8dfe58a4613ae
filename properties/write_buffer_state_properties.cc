// Stateful property (rc::state) for the selector stream transport's write buffer and flow
// control, against a reference model small enough to be obviously right.
//
// The world: the kernel's send buffer holds C bytes and the peer's receive buffer R; the peer
// reads only when a command says so. After each command the world settles (every delivery and
// write_ready that can happen, happens), so with `outstanding` = written - read by the peer:
//   in the peer's buffer  = min(outstanding, R)
//   in the send buffer    = min(outstanding - that, C)
//   in the transport      = the rest
// Flow control follows asyncio: write() pauses when the buffer right after the immediate send
// exceeds high; set_write_buffer_limits() may pause, never resume; only write_ready resumes,
// when a send leaves the buffer at or below low.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <memory>

#include "model/world/hand_driven_world.h"

namespace loopcheck::properties {
namespace {

constexpr std::size_t kSendCapacity = 16;
constexpr std::size_t kRecvCapacity = 16;

struct Model {
  std::size_t outstanding = 0;  // written by the app, not yet read by the peer
  std::size_t high = 64 * 1024;
  std::size_t low = 16 * 1024;
  bool paused = false;
  int pauses = 0;
  int resumes = 0;

  std::size_t in_peer() const { return std::min(outstanding, kRecvCapacity); }
  std::size_t in_send() const { return std::min(outstanding - in_peer(), kSendCapacity); }
  std::size_t buffered() const { return outstanding - in_peer() - in_send(); }
  void pause_if_above_high(std::size_t size) {
    if (size > high && !paused) {
      paused = true;
      ++pauses;
    }
  }
  // Only write_ready resumes, and only after it sent something: so only a buffer that shrank.
  void resume_if_drained_to_low(std::size_t before) {
    if (paused && buffered() < before && buffered() <= low) {
      paused = false;
      ++resumes;
    }
  }
};

struct CountingProtocol final : Protocol {
  void connection_made(Transport& t) override { transport = &t; }
  void data_received(BytesView) override {}
  void connection_lost(std::optional<Error>) override {}
  void pause_writing() override { ++pauses; }
  void resume_writing() override { ++resumes; }
  Transport* transport = nullptr;
  int pauses = 0;
  int resumes = 0;
};

struct System {
  System() { settle(); }
  void settle() { RC_ASSERT(hand.settle()); }  // O1, O3, O6, O7 are checked all along
  CountingProtocol protocol;
  HandDrivenStream hand{protocol, kSendCapacity, kRecvCapacity, /*faults=*/false};
  std::unique_ptr<SimWorld>& world = hand.world;
  int peer_fd = hand.peer_fd;
};

void check_agreement(const Model& m, const System& s) {
  RC_ASSERT(s.protocol.transport->get_write_buffer_size() == m.buffered());
  RC_ASSERT(s.protocol.pauses == m.pauses);
  RC_ASSERT(s.protocol.resumes == m.resumes);
}

struct Write final : rc::state::Command<Model, System> {
  std::size_t size = *rc::gen::inRange<std::size_t>(1, 80);
  void apply(Model& m) const override {
    std::size_t room = kSendCapacity - m.in_send();
    std::size_t before = m.buffered();
    m.outstanding += size;
    // Nothing buffered: write() sends what the kernel takes at once and buffers the rest.
    std::size_t right_after = before > 0 ? before + size : size - std::min(size, room);
    m.pause_if_above_high(right_after);
    m.resume_if_drained_to_low(right_after);
  }
  void run(const Model& m, System& s) const override {
    RC_ASSERT(!s.protocol.transport->write(Bytes(size, 'w')));
    s.settle();
    Model expected = m;
    apply(expected);
    check_agreement(expected, s);
  }
  void show(std::ostream& os) const override { os << "Write(" << size << ")"; }
};

struct PeerReads final : rc::state::Command<Model, System> {
  std::size_t size = *rc::gen::inRange<std::size_t>(1, 40);
  void apply(Model& m) const override {
    std::size_t before = m.buffered();
    m.outstanding -= std::min(size, m.in_peer());
    m.resume_if_drained_to_low(before);
  }
  void run(const Model& m, System& s) const override {
    IoResult<Bytes> got = s.world->kernel().recv(s.peer_fd, size);
    RC_ASSERT(got.ok() || got.would_block());
    RC_ASSERT((got.ok() ? got.value().size() : 0) == std::min(size, m.in_peer()));
    s.settle();
    Model expected = m;
    apply(expected);
    check_agreement(expected, s);
  }
  void show(std::ostream& os) const override { os << "PeerReads(" << size << ")"; }
};

struct SetLimits final : rc::state::Command<Model, System> {
  std::size_t high = *rc::gen::inRange<std::size_t>(0, 100);
  std::size_t low = *rc::gen::inRange<std::size_t>(0, 100);
  void apply(Model& m) const override {
    if (high < low) return;  // rejected: nothing changes
    m.high = high;
    m.low = low;
    m.pause_if_above_high(m.buffered());
  }
  void run(const Model& m, System& s) const override {
    Status status = s.protocol.transport->set_write_buffer_limits(high, low);
    RC_ASSERT(status.has_value() == (high < low));
    if (status) RC_ASSERT(status->code == Errc::invalid_argument);
    s.settle();
    Model expected = m;
    apply(expected);
    check_agreement(expected, s);
    WriteLimits limits = s.protocol.transport->get_write_buffer_limits();
    RC_ASSERT(limits.high == expected.high);
    RC_ASSERT(limits.low == expected.low);
  }
  void show(std::ostream& os) const override { os << "SetLimits(" << high << ", " << low << ")"; }
};

RC_GTEST_PROP(SelectorStreamWriteBuffer, MatchesTheReferenceModel, ()) {
  Model initial;
  System system;
  rc::state::check(initial, system,
                   rc::state::gen::execOneOfWithArgs<Write, PeerReads, SetLimits>());
}

}  // namespace
}  // namespace loopcheck::properties

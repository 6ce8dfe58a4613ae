#include "model/engines/shared_states.h"

namespace loopcheck {

SharedStates::SharedStates(Pruning pruning, Preemptions preemptions, unsigned threads)
    : stripes_(std::make_unique<Stripe[]>(kStripes)), pinned_(zero_row()) {
  for (std::size_t i = 0; i < kStripes; ++i) stripes_[i].table = std::make_unique<StateTable>(pruning, preemptions);
  for (unsigned t = 0; t < threads; ++t) paths_.push_back(zero_row());
}

SharedStates::Row SharedStates::zero_row() {
  Row row = std::make_unique<std::atomic<std::uint32_t>[]>(kSlots);
  for (std::size_t i = 0; i < kSlots; ++i) row[i].store(0, std::memory_order_relaxed);
  return row;
}

bool SharedStates::elsewhere(unsigned thread, std::size_t slot) const {
  for (unsigned t = 0; t < paths_.size(); ++t) {
    if (t != thread && paths_[t][slot].load(std::memory_order_acquire) != 0) return true;
  }
  return pinned_[slot].load() != 0;
}

// The stripe from the digest's low bits; the table in it indexes by the high ones (DigestMap).
StateTable::Seen SharedStates::visit(std::uint64_t state, Spent spent, std::size_t step,
                                     const std::vector<StateTable::Visit>& path) {
  Stripe& stripe = stripes_[state % kStripes];
  std::lock_guard<std::mutex> hold(stripe.lock);
  StateTable::Seen seen = stripe.table->visit(state, spent, step, path);
  if (seen == StateTable::Seen::fresh) stripe.size.store(stripe.table->size(), std::memory_order_relaxed);
  return seen;
}

std::size_t SharedStates::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kStripes; ++i) total += stripes_[i].size.load(std::memory_order_relaxed);
  return total;
}

std::size_t SharedStates::slot_of(std::uint64_t state, const Spent& spent) {
  std::uint64_t key = state ^ (static_cast<std::uint64_t>(spent.preemptions) << 40) ^
                      (static_cast<std::uint64_t>(spent.faults) << 20) ^ static_cast<std::uint64_t>(spent.app_actions);
  return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - kSlotBits));
}

}  // namespace loopcheck

#include "model/engines/shared_states.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <thread>

namespace loopcheck {

namespace {

// The table's first size (entries) for `threads` threads: room for every thread's unchecked inserts
// (SharedStates::kCheckEvery) eight times over, and never under 64 Ki entries. Checked first,
// before anything is sized by it.
std::size_t first_size(unsigned threads, std::size_t check_every) {
  if (threads == 0 || threads > SharedStates::kMaxThreads) {
    throw std::invalid_argument("SharedStates: 1 to " + std::to_string(SharedStates::kMaxThreads) + " threads");
  }
  return std::bit_ceil(std::max<std::size_t>(std::size_t{1} << 16, std::size_t{threads} * check_every * 8));
}

unsigned shift_for(std::size_t entries) { return 64 - static_cast<unsigned>(std::countr_zero(entries)); }

std::atomic_ref<std::uint64_t> atomic(std::uint64_t& word) { return std::atomic_ref<std::uint64_t>(word); }

}  // namespace

SharedStates::SharedStates(Pruning pruning, Preemptions preemptions, unsigned threads)
    : rule_(pruning, preemptions),
      entries_(first_size(threads, kCheckEvery)),
      shift_(shift_for(entries_.size())),
      capacity_(entries_.size()),
      own_(std::make_unique<Own[]>(threads)),
      threads_(threads),
      stripes_(std::make_unique<Stripe[]>(kStripes)),
      zero_(pruning, preemptions),
      pinned_(zero_row()) {
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

// Marked inside unless the table is being doubled; then out of the way until it is. The mark
// and the doubler's flag are both sequentially consistent: of a thread coming in and one
// starting to double, at least one sees the other.
void SharedStates::enter(Own& own) {
  for (;;) {
    own.inside.store(true, std::memory_order_seq_cst);
    if (!growing_.load(std::memory_order_seq_cst)) return;
    own.inside.store(false, std::memory_order_seq_cst);
    growing_.wait(true, std::memory_order_seq_cst);
  }
}

std::pair<SharedStates::Entry*, bool> SharedStates::find_or_claim(std::uint64_t key, std::uint64_t word) {
  std::size_t mask = entries_.size() - 1;
  for (std::size_t i = home(key);; i = (i + 1) & mask) {
    Entry& entry = entries_[i];
    std::uint64_t found = atomic(entry.key).load(std::memory_order_acquire);
    if (found == 0 && atomic(entry.key).compare_exchange_strong(found, key, std::memory_order_acq_rel)) {
      atomic(entry.word).store(word | kWritten, std::memory_order_release);
      return {&entry, true};
    }
    if (found == key) return {&entry, false};
  }
}

std::uint64_t SharedStates::word_of(Entry& entry) {
  for (;;) {
    std::uint64_t word = atomic(entry.word).load(std::memory_order_acquire);
    if (word & kWritten) return word;
    std::this_thread::yield();  // its writer is between claiming the key and writing this
  }
}

StateTable::Seen SharedStates::visit(unsigned thread, std::uint64_t state, Spent spent, std::size_t step,
                                     const std::vector<Visit>& path) {
  Own& own = own_[thread];
  Seen seen;
  if (state == 0) {
    std::lock_guard<std::mutex> hold(zero_lock_);
    seen = zero_.visit(state, spent, step, path);
  } else {
    Visit now{state, spent, step};
    enter(own);
    auto [entry, claimed] = find_or_claim(state, Kept(spent, step).bits());
    if (claimed) {
      seen = Seen::fresh;
    } else {
      std::uint64_t word = word_of(*entry);
      seen = word & kMore ? Seen::kept : rule_.relate(Kept(word).visit(state), now, path);
      if (seen == Seen::kept) seen = visit_more(*entry, now, path);
    }
    leave(own);
  }
  if (seen == Seen::fresh) {
    own.fresh.store(own.fresh.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (++own.unchecked == kCheckEvery) grow_if_full(own);
  }
  return seen;
}

// StateTable::visit's way with the visits after the first, under the stripe's lock: the first
// visit is read again there, since another thread may have put one in its place.
StateTable::Seen SharedStates::visit_more(Entry& entry, const Visit& now, const std::vector<Visit>& path) {
  Stripe& stripe = stripes_[now.state % kStripes];
  std::lock_guard<std::mutex> hold(stripe.lock);
  std::uint64_t word = word_of(entry);
  Visit first = Kept(word).visit(now.state);
  Seen seen = rule_.relate(first, now, path);
  if (word & kMore) {
    auto more = stripe.more.equal_range(now.state);
    for (auto m = more.first; m != more.second; ++m) seen = CoverRule::either(seen, rule_.relate(m->second, now, path));
  }
  if (seen != Seen::kept) return seen;
  if (rule_.replaces(now, first)) {
    atomic(entry.word).store(Kept(now.spent, now.step).bits() | (word & (kWritten | kMore)), std::memory_order_release);
  } else {
    stripe.more.emplace(now.state, now);
    atomic(entry.word).store(word | kMore, std::memory_order_release);
  }
  return Seen::kept;
}

// Doubles the table once the states counted pass three-quarters of it, with every thread out
// of it: the first thread to raise `growing_` doubles, others wait in enter().
void SharedStates::grow_if_full(Own& own) {
  own.unchecked = 0;
  if (size() * 4 <= capacity_.load(std::memory_order_relaxed) * 3) return;
  bool idle = false;
  if (!growing_.compare_exchange_strong(idle, true, std::memory_order_seq_cst)) return;  // another doubles it
  for (unsigned t = 0; t < threads_; ++t) {
    while (own_[t].inside.load(std::memory_order_seq_cst)) std::this_thread::yield();
  }
  if (size() * 4 > entries_.size() * 3) {  // not doubled since this thread looked
    ZeroedArray<Entry> old = std::move(entries_);
    entries_ = ZeroedArray<Entry>(old.size() * 2);
    shift_ = shift_for(entries_.size());
    capacity_.store(entries_.size(), std::memory_order_relaxed);
    std::size_t mask = entries_.size() - 1;
    for (const Entry& entry : old) {
      if (entry.key == 0) continue;
      std::size_t i = home(entry.key);
      while (entries_[i].key != 0) i = (i + 1) & mask;
      entries_[i] = entry;
    }
  }
  growing_.store(false, std::memory_order_seq_cst);
  growing_.notify_all();
}

std::size_t SharedStates::size() const {
  std::size_t total = 0;
  for (unsigned t = 0; t < threads_; ++t) total += own_[t].fresh.load(std::memory_order_relaxed);
  return total;
}

std::size_t SharedStates::slot_of(std::uint64_t state, const Spent& spent) {
  std::uint64_t key = state ^ (static_cast<std::uint64_t>(spent.preemptions) << 40) ^
                      (static_cast<std::uint64_t>(spent.faults) << 20) ^ static_cast<std::uint64_t>(spent.app_actions);
  return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - kSlotBits));
}

}  // namespace loopcheck

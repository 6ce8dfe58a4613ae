// A first-in first-out queue in one vector: pushed at the back, popped at the front by moving
// an index, the dead front reclaimed once it is half the vector or the queue runs empty.
//
// Why not std::deque: libstdc++'s allocates a 512-byte node and its map even when empty. The
// simulated kernel keeps three queues a socket; a saved world (model/engines/checkpoints.h)
// is copied whole at every step, and those nodes were a third of its bytes in the datagram
// scenarios. Unlike a deque, a push or a pop may move the elements: hold no reference or view
// into the queue across either.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace loopcheck {

template <class T>
class Fifo {
 public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& back() { return items_.back(); }
  const T& back() const { return items_.back(); }
  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }

  void push_back(T item) { items_.push_back(std::move(item)); }
  void pop_front() {
    items_[head_] = T();  // what it owned goes now, not at the next compaction
    ++head_;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= kCompactAfter && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }

 private:
  static constexpr std::size_t kCompactAfter = 8;
  std::vector<T> items_;
  std::size_t head_ = 0;  // items_[0, head_) are popped
};

}  // namespace loopcheck

// Byte containers. std::string is used as the owning byte type: contiguous, cheap to append,
// and readable in traces. ByteQueue is the FIFO behind every transport write buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loopcheck {

using Bytes = std::string;
using BytesView = std::string_view;

// A FIFO of bytes with O(1) amortised consume from the front. Transports keep unsent data here;
// compaction happens only when the dead prefix dominates, so large writes are not copied twice.
class ByteQueue {
 public:
  void append(BytesView data) { data_.append(data.data(), data.size()); }
  BytesView view() const { return BytesView(data_).substr(head_); }
  std::size_t size() const { return data_.size() - head_; }
  bool empty() const { return size() == 0; }
  void consume(std::size_t n);
  void clear() {
    data_.clear();
    head_ = 0;
  }
  // Puts `data` ahead of what is queued (a short send's tail): one allocation, each byte copied
  // once.
  void prepend(BytesView data) {
    Bytes joined;
    joined.reserve(data.size() + size());
    joined.append(data.data(), data.size());
    joined.append(view());
    data_ = std::move(joined);
    head_ = 0;
  }
  // Everything queued, handed over without a copy when nothing was consumed; the queue is empty.
  Bytes take() {
    Bytes out = head_ == 0 ? std::move(data_) : data_.substr(head_);
    clear();
    return out;
  }

 private:
  Bytes data_;
  std::size_t head_ = 0;
};

inline void ByteQueue::consume(std::size_t n) {
  head_ += n < size() ? n : size();
  if (head_ == data_.size()) {
    clear();
  } else if (head_ > 4096 && head_ * 2 > data_.size()) {
    data_.erase(0, head_);
    head_ = 0;
  }
}

}  // namespace loopcheck

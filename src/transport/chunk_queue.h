// asyncio 3.12+'s write buffer for the selector stream transport: a deque of the chunks the app
// handed over, sent with one sendmsg over the first ones (at most IOV_MAX), and trimmed by
// _adjust_leftover_buffer. The chunk boundaries are state: an empty chunk is a chunk, and a
// buffer that holds only empty chunks is not empty, though its size is 0 (gh-155888).
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "src/core/bytes.h"

namespace loopcheck {

class ChunkQueue {
 public:
  void append(BytesView chunk) {
    chunks_.emplace_back(chunk);
    size_ += chunk.size();
  }
  // Bytes still to send (asyncio's get_write_buffer_size).
  std::size_t size() const { return size_; }
  // No chunk left (asyncio's `not self._buffer`); not the same as size() == 0.
  bool empty() const { return chunks_.empty(); }
  std::size_t chunk_count() const { return chunks_.size(); }
  // The first `max_chunks` chunks, what is left of the first one included.
  std::vector<BytesView> gather(std::size_t max_chunks) const {
    std::vector<BytesView> out;
    for (std::size_t i = 0; i < chunks_.size() && i < max_chunks; ++i) {
      out.push_back(i == 0 ? BytesView(chunks_[0]).substr(front_sent_) : BytesView(chunks_[i]));
    }
    return out;
  }
  // asyncio's _adjust_leftover_buffer: drops the chunks `sent` bytes covered, keeps the rest of
  // the one it ends in. It stops as soon as `sent` is used up, so it drops no empty chunk that
  // follows (and with sent == 0, none at all).
  void consume(std::size_t sent) {
    while (sent > 0 && !chunks_.empty()) {
      std::size_t left = chunks_.front().size() - front_sent_;
      if (left <= sent) {
        sent -= left;
        size_ -= left;
        chunks_.pop_front();
        front_sent_ = 0;
      } else {
        front_sent_ += sent;
        size_ -= sent;
        sent = 0;
      }
    }
  }
  void clear() {
    chunks_.clear();
    size_ = 0;
    front_sent_ = 0;
  }
  // Every chunk, what is left of the first one included, for the state fingerprint.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const BytesView chunk : gather(chunks_.size())) visit(chunk);
  }

 private:
  std::deque<Bytes> chunks_;
  std::size_t front_sent_ = 0;  // bytes of the first chunk already sent
  std::size_t size_ = 0;
};

}  // namespace loopcheck

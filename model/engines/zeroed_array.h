// A fixed-size array whose bytes start as zero, for the state cache's table (DigestMap).
//
// Why not std::vector: a large search's table is hundreds of megabytes, probed at a random
// slot at every step. Taken from the kernel as anonymous memory, it needs no zero-filling pass
// (the kernel's pages are zero), and once it spans 2 MiB it asks for transparent huge pages
// (MADV_HUGEPAGE; a hint the kernel may ignore), so a probe costs one translation entry per
// 2 MiB instead of per 4 KiB and growing the table takes 512 times fewer page faults.
// docs/PERFORMANCE.md, "Huge pages for the state table".
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace loopcheck {

template <class T>
class ZeroedArray {
  static_assert(std::is_trivially_copyable_v<T>, "an array of zero bytes holds only plain values");

 public:
  ZeroedArray() = default;
  explicit ZeroedArray(std::size_t count) : count_(count) {
    if (count == 0) return;
    if (count > (~std::size_t{0} - kHugePage) / sizeof(T)) throw std::bad_alloc();  // no size_t holds it
    std::size_t bytes = count * sizeof(T);
    // Room to start at a 2 MiB boundary, where a huge page can begin.
    mapped_ = bytes >= kHugePage ? bytes + kHugePage : bytes;
    void* base = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    base_ = base;
    auto at = reinterpret_cast<std::uintptr_t>(base);
    if (bytes >= kHugePage) {
      at = (at + kHugePage - 1) & ~(kHugePage - 1);
      (void)::madvise(reinterpret_cast<void*>(at), bytes, MADV_HUGEPAGE);  // only a hint
    }
    data_ = reinterpret_cast<T*>(at);
  }
  ~ZeroedArray() { release(); }
  ZeroedArray(ZeroedArray&& other) noexcept { *this = std::move(other); }
  ZeroedArray& operator=(ZeroedArray&& other) noexcept {
    if (this != &other) {
      release();
      base_ = std::exchange(other.base_, nullptr);
      mapped_ = std::exchange(other.mapped_, 0);
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;

  std::size_t size() const { return count_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + count_; }

 private:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  void release() {
    if (base_) ::munmap(base_, mapped_);
    base_ = nullptr;
  }
  void* base_ = nullptr;
  std::size_t mapped_ = 0;
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace loopcheck

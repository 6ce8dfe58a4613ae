#include "model/engines/world_arena.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace loopcheck {
namespace {

// The heap operator new uses on this thread: `bound` while `active`. A bound arena stays bound
// while paused, so a delete of one of its blocks is still recognised as such.
thread_local WorldArena* t_bound = nullptr;
thread_local bool t_active = false;

constexpr std::size_t kAlign = 16;
constexpr std::size_t kSmallStep = 16;     // small classes: 16, 32, ... 1024 bytes
constexpr std::size_t kSmallClasses = 64;
constexpr std::size_t kClasses = kSmallClasses + 40;  // then 2 KiB, 4 KiB, ... 2^50

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

std::size_t payload_of(std::size_t c) {
  if (c < kSmallClasses) return (c + 1) * kSmallStep;
  return (2 * kSmallStep * kSmallClasses) << (c - kSmallClasses);
}

std::size_t class_of(std::size_t size) {
  if (size <= kSmallStep * kSmallClasses) return size == 0 ? 0 : (size - 1) / kSmallStep;
  if (size > payload_of(kClasses - 1)) return kClasses;  // no class: the arena is full
  std::size_t c = kSmallClasses;
  for (std::size_t payload = 2 * kSmallStep * kSmallClasses; payload < size; payload *= 2) ++c;
  return c;
}

// In front of every block handed out: its class, and how far the block starts before it.
struct BlockTag {
  std::uint32_t size_class;
  std::uint32_t offset;
};
static_assert(sizeof(BlockTag) <= kAlign);

}  // namespace

// At the arena's base, so a snapshot saves the allocator with the objects.
struct WorldArena::Header {
  std::size_t top;               // the first byte never handed out
  std::byte* free[kClasses];     // a list per class, linked through each free block's start
};

WorldArena::WorldArena(std::size_t capacity) : capacity_(capacity) {
  base_ = static_cast<std::byte*>(std::malloc(capacity));
  if (!base_) throw ArenaFull();
  clear();
}

WorldArena::~WorldArena() {
  if (t_bound == this) t_bound = nullptr;
  std::free(base_);
}

WorldArena::Header& WorldArena::header() const { return *reinterpret_cast<Header*>(base_); }

void WorldArena::clear() {
  Header& h = header();
  h.top = round_up(sizeof(Header), kAlign);
  for (std::byte*& list : h.free) list = nullptr;
}

std::size_t WorldArena::in_use() const { return header().top; }

void* WorldArena::allocate(std::size_t size, std::size_t align) {
  std::size_t extra = align > kAlign ? align : 0;
  std::size_t c = size > SIZE_MAX - extra ? kClasses : class_of(size + extra);
  if (c >= kClasses) throw ArenaFull();
  Header& h = header();
  std::byte* block = h.free[c];
  if (block) {
    std::memcpy(&h.free[c], block, sizeof(std::byte*));
  } else {
    std::size_t need = kAlign + payload_of(c);
    if (need > capacity_ - h.top) throw ArenaFull();
    block = base_ + h.top;
    h.top += need;
  }
  std::byte* user = block + kAlign;
  if (align > kAlign) user = user + (round_up(reinterpret_cast<std::uintptr_t>(user), align) - reinterpret_cast<std::uintptr_t>(user));
  BlockTag tag{static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(user - block)};
  std::memcpy(user - kAlign, &tag, sizeof tag);
  return user;
}

void WorldArena::release(void* p) {
  auto* user = static_cast<std::byte*>(p);
  BlockTag tag;
  std::memcpy(&tag, user - kAlign, sizeof tag);
  std::byte* block = user - tag.offset;
  Header& h = header();
  std::memcpy(block, &h.free[tag.size_class], sizeof(std::byte*));
  h.free[tag.size_class] = block;
}

void WorldArena::Snapshot::Free::operator()(std::byte* p) const { std::free(p); }

void WorldArena::save(Snapshot& into) const {
  std::size_t size = in_use();
  if (into.capacity_ < size) {
    std::size_t grown = std::max(size, into.capacity_ * 2);
    auto* bytes = static_cast<std::byte*>(std::malloc(grown));
    if (!bytes) throw std::bad_alloc();
    into.bytes_.reset(bytes);
    into.capacity_ = grown;
  }
  std::memcpy(into.bytes_.get(), base_, size);
  into.size_ = size;
}

void WorldArena::restore(const Snapshot& from) { std::memcpy(base_, from.bytes_.get(), from.size_); }

WorldArena::Scope::Scope(WorldArena& arena) : outer_bound_(t_bound), outer_active_(t_active) {
  t_bound = &arena;
  t_active = true;
}

WorldArena::Scope::~Scope() {
  if (outer_bound_) t_bound = outer_bound_;
  t_active = outer_active_;
}

WorldArena::Pause::Pause() : was_active_(t_active) { t_active = false; }

WorldArena::Pause::~Pause() { t_active = was_active_; }

}  // namespace loopcheck

// ---- the replaced global operator new and delete -------------------------------------------
namespace {

void* heap_allocate(std::size_t size, std::size_t align) {
  if (loopcheck::t_active) return loopcheck::t_bound->allocate(size, align);
  if (size == 0) size = 1;
  for (;;) {
    void* p = align > __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? std::aligned_alloc(align, loopcheck::round_up(size, align))
                                                       : std::malloc(size);
    if (p) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

void* heap_allocate_nothrow(std::size_t size, std::size_t align) noexcept {
  try {
    return heap_allocate(size, align);
  } catch (...) {
    return nullptr;
  }
}

void heap_release(void* p) noexcept {
  if (!p) return;
  if (loopcheck::t_bound && loopcheck::t_bound->owns(p)) {
    if (loopcheck::t_active) loopcheck::t_bound->release(p);
    return;  // paused: the next restore or clear takes it back
  }
  std::free(p);
}

constexpr std::size_t kPlain = loopcheck::kAlign;

}  // namespace

void* operator new(std::size_t size) { return heap_allocate(size, kPlain); }
void* operator new[](std::size_t size) { return heap_allocate(size, kPlain); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return heap_allocate_nothrow(size, kPlain); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return heap_allocate_nothrow(size, kPlain); }
void* operator new(std::size_t size, std::align_val_t a) { return heap_allocate(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return heap_allocate(size, static_cast<std::size_t>(a)); }
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return heap_allocate_nothrow(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return heap_allocate_nothrow(size, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { heap_release(p); }
void operator delete[](void* p) noexcept { heap_release(p); }
void operator delete(void* p, std::size_t) noexcept { heap_release(p); }
void operator delete[](void* p, std::size_t) noexcept { heap_release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { heap_release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { heap_release(p); }
void operator delete(void* p, std::align_val_t) noexcept { heap_release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { heap_release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { heap_release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { heap_release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { heap_release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { heap_release(p); }

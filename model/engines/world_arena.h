// A heap at a fixed address for one simulated world, so the world can be saved and put back by
// copying bytes: a DFS then branches from the state before a choice instead of running the
// whole prefix again from a fresh world (model/engines/checkpoints.h).
//
// Why bytes: the world's objects hold callbacks bound to one another by pointer; none of them
// could be copied as values. But while a thread has an arena active, every operator new on it
// allocates there (this library replaces the global operator new and delete; they are malloc
// and free on any thread with no arena active), so the whole world, its containers and its
// callbacks' captures lie in one block whose address never changes. A copy of the block's bytes
// in use is then a complete, valid saved world; copying them back restores it.
//
// What that asks of the code run inside (SimWorld::restorable says when a world cannot keep it):
//  - nothing keeps state in memory from malloc (OpenSSL does: TLS worlds are not saved); scratch
//    made once and rewritten before every use, like the fingerprint hasher's, may live there;
//  - nothing it allocates outlives the arena or a restore: calls out of the world (the choice
//    source, the engine's visitor) run paused (Pause), and results are copied out paused;
//  - no function-local static is first initialised inside (its heap would be in the arena).
// A block freed while the arena is paused is left alone: its bytes go back with the next
// restore or clear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace loopcheck {

// Thrown by an allocation the arena has no room for: the caller gives up on saving worlds.
class ArenaFull : public std::bad_alloc {
 public:
  const char* what() const noexcept override { return "the world arena is full"; }
};

class WorldArena {
 public:
  static constexpr std::size_t kDefaultCapacity = std::size_t{1} << 30;  // address space, not memory
  explicit WorldArena(std::size_t capacity = kDefaultCapacity);
  ~WorldArena();
  WorldArena(const WorldArena&) = delete;
  WorldArena& operator=(const WorldArena&) = delete;

  // The arena's bytes in use at one moment. Reused across saves: its buffer only grows.
  class Snapshot {
   public:
    Snapshot() = default;
    Snapshot(Snapshot&&) noexcept = default;
    Snapshot& operator=(Snapshot&&) noexcept = default;
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }  // the memory it holds

   private:
    friend class WorldArena;
    struct Free {
      void operator()(std::byte* p) const;
    };
    std::unique_ptr<std::byte, Free> bytes_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
  };
  void save(Snapshot& into) const;
  void restore(const Snapshot& from);
  // Everything freed at once; no destructor runs (the objects are forgotten with their bytes).
  void clear();
  // The bytes a snapshot copies: the most the arena has held since its last clear.
  std::size_t in_use() const;

  void* allocate(std::size_t size, std::size_t align);
  void release(void* p);
  bool owns(const void* p) const { return p >= base_ && p < base_ + capacity_; }

  // Makes `arena` this thread's heap for operator new until the scope ends. After it, the arena
  // stays bound, paused, until it is destroyed: a block of it freed then (an exception's text
  // made inside, destroyed outside) is left alone rather than handed to free().
  class Scope {
   public:
    explicit Scope(WorldArena& arena);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    WorldArena* outer_bound_;
    bool outer_active_;
  };
  // Inside a Scope: operator new goes back to malloc until this ends (a call out of the world).
  class Pause {
   public:
    Pause();
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

   private:
    bool was_active_;
  };

 private:
  struct Header;
  Header& header() const;
  std::byte* base_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace loopcheck

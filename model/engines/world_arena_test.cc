// The world arena: what is built in it comes back byte for byte after a restore, however it
// changed since; frees while paused never reach it; it says when it is full. The checks are
// made outside the arena's scope where a failing one would allocate its message.
#include "model/engines/world_arena.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace loopcheck {
namespace {

TEST(WorldArena, ObjectsBuiltInsideComeBackAsTheyWereSaved) {
  WorldArena arena(std::size_t{64} << 20);
  WorldArena::Snapshot saved;
  std::map<int, std::string>* table = nullptr;
  bool built_inside = false;
  {
    WorldArena::Scope scope(arena);
    table = new std::map<int, std::string>;
    for (int i = 0; i < 100; ++i) (*table)[i] = std::string(static_cast<std::size_t>(i), 'a');
    built_inside = arena.owns(table) && arena.owns((*table)[50].data());
  }
  EXPECT_TRUE(built_inside);
  arena.save(saved);
  {
    WorldArena::Scope scope(arena);
    table->erase(10);
    for (int i = 100; i < 1000; ++i) (*table)[i] = std::string(200, 'b');
    (*table)[20] = "changed";
  }
  EXPECT_GT(arena.in_use(), saved.size());
  arena.restore(saved);
  std::size_t size_after_restore = table->size();
  std::string ten = (*table)[10], twenty = (*table)[20];
  std::size_t size_after_insert = 0;
  {
    WorldArena::Scope scope(arena);
    (*table)[500] = std::string(300, 'c');  // allocation goes on from where it stood at the save
    size_after_insert = table->size();
  }
  EXPECT_EQ(size_after_restore, 100u);
  EXPECT_EQ(ten, std::string(10, 'a'));
  EXPECT_EQ(twenty, std::string(20, 'a'));
  EXPECT_EQ(size_after_insert, 101u);
}

TEST(WorldArena, PausedAllocationsAreTheHeapsAndPausedFreesAreLeftAlone) {
  WorldArena arena(std::size_t{16} << 20);
  std::vector<int>* outside = nullptr;
  bool outside_in_arena = true, inside_in_arena = false, later_in_arena = false;
  std::size_t before = 0, after = 0;
  {
    WorldArena::Scope scope(arena);
    auto* inside = new std::vector<int>(1000, 7);
    inside_in_arena = arena.owns(inside->data());
    {
      WorldArena::Pause pause;
      outside = new std::vector<int>(1000, 8);
      outside_in_arena = arena.owns(outside);
      before = arena.in_use();
      delete inside;  // left in the arena, not handed to free()
      after = arena.in_use();
    }
    later_in_arena = arena.owns(new int(3));
  }
  EXPECT_TRUE(inside_in_arena);
  EXPECT_FALSE(outside_in_arena);
  EXPECT_EQ(after, before);
  EXPECT_TRUE(later_in_arena);
  delete outside;  // the heap's, whoever frees it
}

TEST(WorldArena, FreedBlocksAreReusedAndAlignmentIsKept) {
  WorldArena arena(std::size_t{16} << 20);
  void *a = nullptr, *b = nullptr;
  std::size_t used = 0, used_again = 0;
  std::vector<std::uintptr_t> misaligned;
  {
    WorldArena::Scope scope(arena);
    a = ::operator new(100);
    used = arena.in_use();
    ::operator delete(a);
    b = ::operator new(97);  // the same class (97 to 112 bytes)
    used_again = arena.in_use();
    for (std::size_t align : {16u, 32u, 64u, 4096u}) {
      void* p = ::operator new(24, std::align_val_t{align});
      misaligned.push_back(reinterpret_cast<std::uintptr_t>(p) % align);
      ::operator delete(p, std::align_val_t{align});
    }
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(used_again, used);
  EXPECT_EQ(misaligned, std::vector<std::uintptr_t>(4, 0));
}

TEST(WorldArena, AFullArenaSaysSo) {
  WorldArena arena(std::size_t{1} << 20);
  bool too_big = false, absurd = false, small_fits = false;
  void* nothrow = &arena;
  {
    WorldArena::Scope scope(arena);
    try {
      (void)::operator new(std::size_t{2} << 20);
    } catch (const ArenaFull&) {
      too_big = true;
    }
    try {
      (void)::operator new(~std::size_t{0} - 8);
    } catch (const ArenaFull&) {
      absurd = true;
    }
    nothrow = ::operator new(std::size_t{2} << 20, std::nothrow);
    small_fits = arena.owns(::operator new(64));  // what fits still does
  }
  EXPECT_TRUE(too_big);
  EXPECT_TRUE(absurd);
  EXPECT_EQ(nothrow, nullptr);
  EXPECT_TRUE(small_fits);
}

}  // namespace
}  // namespace loopcheck

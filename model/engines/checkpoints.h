// A DFS's runs, each branching from a saved world instead of replaying its prefix from a fresh
// one. Every run of a DFS shares all but its last choices with the run before it, so the world
// is saved (WorldArena) at step boundaries of the current path (every k-th); the next
// run goes back to the last saved boundary before the first choice it changes, and only the
// steps after that run.
//
// A run here gives the same RunResult as execute() with the same prefix and visitor, field for
// field, and calls the visitor at the same steps with the same states; the steps it skipped are
// those where execute()'s visitor is on the replayed prefix, which a DFS's visitor lets pass
// (ctest `Checkpoints.*` compares whole explorations both ways).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "model/engines/run.h"
#include "model/engines/visited_states.h"
#include "model/engines/world_arena.h"

namespace loopcheck {

class CheckpointedRuns {
 public:
  // Only for a scenario whose world is restorable (RunResult::restorable of any of its runs).
  // `fingerprints`: where the visitors given to run() ask for the world's fingerprint (a
  // reduction's, at the boundaries whose states it keeps: VisitedStates::storing(), read at
  // every boundary, since it may change as the search goes); nullptr: nowhere. No visitor may
  // ask the world for anything else that allocates.
  // `budget`: the most memory the saved worlds may hold. `save_every`: save every so many
  // boundaries of a path; 0 picks it from the runs so far (pick_save_every).
  static constexpr std::size_t kDefaultBudget = std::size_t{1} << 30;
  CheckpointedRuns(const RunSpec& spec, bool sleep_sets, const Storing* fingerprints,
                   std::size_t budget = kDefaultBudget,
                   std::size_t save_every = 0);
  ~CheckpointedRuns();
  CheckpointedRuns(const CheckpointedRuns&) = delete;
  CheckpointedRuns& operator=(const CheckpointedRuns&) = delete;

  // execute(spec, prefix, false, false, visitor, sleep_sets); the prefix need not follow the
  // last run's, but the more of it agrees, the less runs again. `known`: how many of its first
  // records are the last run's choices, every field alike (a DFS: all but the last); the saved
  // worlds before them are used, and those records stand for the choices made before each.
  // The choices go in and come out (RunResult::choices) without a copy: a deep DFS's runs are
  // mostly their prefixes.
  // `whole_path`: the visitor may ask for fingerprints on the replayed prefix too (a thread
  // starting on work handed over, VisitedStates::record_replayed); such a run starts afresh.
  RunResult run(std::vector<ChoiceRecord> prefix, const StepVisitor* visitor, std::size_t known = 0,
                bool whole_path = false);

 private:
  struct Checkpoint {
    std::size_t step = 0;
    PrefixChoiceSource::Mark mark;
    WorldArena::Snapshot world;
  };
  // The world's choices go to the prefix source with the arena paused: what the source keeps
  // is the engine's.
  class PausedChoices final : public ChoiceSource {
   public:
    explicit PausedChoices(PrefixChoiceSource& inner) : inner_(inner) {}
    std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;
    std::uint32_t choose_option(const ChoiceOption* options, std::uint32_t n, ChoiceKind kind) override;
    bool undefer_last_option() override { return inner_.undefer_last_option(); }

   private:
    PrefixChoiceSource& inner_;
  };
  void start_world(std::vector<ChoiceRecord> prefix);
  void end_world();
  bool at_step(SimWorld& world);  // the world's visitor
  void pick_save_every();
  [[noreturn]] static void rethrow_outside();

  RunSpec spec_;
  WorldArena arena_;
  PrefixChoiceSource source_;
  PausedChoices choices_{source_};
  const Storing* fingerprints_;
  SimWorld* world_ = nullptr;  // in the arena
  const StepVisitor* visitor_ = nullptr;
  bool whole_path_ = false;
  std::vector<Checkpoint> checkpoints_;  // buffers kept when popped: see `depth_`
  std::size_t depth_ = 0;                // the checkpoints of the current path: [0, depth_)
  std::size_t kept_bytes_ = 0;           // held by all of checkpoints_
  std::size_t budget_;
  // How often a path's boundaries are saved, picked from the runs so far (pick_save_every).
  static constexpr std::uint64_t kRunsPerPick = 256;
  static constexpr std::size_t kMaxSaveEvery = 8;
  bool pick_;
  std::size_t save_every_;
  std::uint64_t runs_ = 0;
  std::uint64_t fresh_boundaries_ = 0;  // boundaries past a run's prefix, over all runs
};

// A DFS's runs, each taking all but its prefix's last choice from the run before (the prefixes
// advance_prefix makes): the first replays from a fresh world and tells whether the world can
// be saved; if so, and `checkpoints`, the rest branch from saved worlds (CheckpointedRuns),
// else each replays.
class DfsRuns {
 public:
  DfsRuns(const RunSpec& spec, bool sleep_sets, bool checkpoints, const Storing* fingerprints)
      : spec_(spec), sleep_sets_(sleep_sets), may_checkpoint_(checkpoints), fingerprints_(fingerprints) {}
  // execute(spec, prefix, false, false, visitor, sleep_sets); `whole_path` as CheckpointedRuns::run.
  RunResult run(std::vector<ChoiceRecord> prefix, const StepVisitor* visitor, bool whole_path = false);

 private:
  const RunSpec& spec_;
  bool sleep_sets_;
  bool may_checkpoint_;
  const Storing* fingerprints_;
  std::optional<CheckpointedRuns> checkpointed_;
};

}  // namespace loopcheck

#include "model/engines/checkpoints.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "model/world/world.h"

namespace loopcheck {

std::uint32_t CheckpointedRuns::PausedChoices::choose(std::uint32_t n, ChoiceKind kind) {
  WorldArena::Pause pause;
  return inner_.choose(n, kind);
}

std::uint32_t CheckpointedRuns::PausedChoices::choose_option(const ChoiceOption* options, std::uint32_t n,
                                                             ChoiceKind kind) {
  WorldArena::Pause pause;
  return inner_.choose_option(options, n, kind);
}

CheckpointedRuns::CheckpointedRuns(const RunSpec& spec, bool sleep_sets, const Storing* fingerprints,
                                   std::size_t budget, std::size_t save_every)
    : spec_(spec),
      source_({}, false, sleep_sets),
      fingerprints_(fingerprints),
      budget_(budget),
      pick_(save_every == 0),
      save_every_(pick_ ? 1 : save_every) {}

CheckpointedRuns::~CheckpointedRuns() { end_world(); }

// The world as the last run left it is a whole world like any other: destroyed in its arena, it
// frees the scratch it keeps outside (the fingerprint hasher's).
void CheckpointedRuns::end_world() {
  if (!world_) return;
  WorldArena::Scope scope(arena_);
  delete world_;
  world_ = nullptr;
}

void CheckpointedRuns::start_world(std::vector<ChoiceRecord> prefix) {
  end_world();
  arena_.clear();
  depth_ = 0;
  source_.rewind(PrefixChoiceSource::Mark{}, std::move(prefix));
  WorldConfig config = world_config(spec_, false);
  WorldArena::Scope scope(arena_);
  world_ = new SimWorld(config, choices_);
  spec_.scenario->setup(*world_, spec_.params);
  world_->set_visitor([this](SimWorld& world) { return at_step(world); });
}

// Called between two steps, on the world's heap. The fingerprint a reduction's visitor asks for
// is made here first, on that heap; the world remembers it (SimWorld::fingerprint) so the
// visitor's own call, paused, allocates nothing in the world. On the prefix no visitor asks
// (StepVisitor), but for a run of a whole path: a run that went back to an earlier saved
// boundary runs those steps again, and hashing them would be waste.
bool CheckpointedRuns::at_step(SimWorld& world) {
  bool fresh = !source_.replaying();
  if (fresh) ++fresh_boundaries_;
  if (fingerprints_ && (fresh || whole_path_) && stores(*fingerprints_, world)) world.fingerprint();
  WorldArena::Pause pause;
  if (visitor_ && !(*visitor_)(world, source_)) return false;
  std::size_t step = world.steps();
  // Only every save_every_-th boundary of a path is saved (pick_save_every); the boundary the
  // run resumed from is saved already.
  if (depth_ > 0 && step < checkpoints_[depth_ - 1].step + save_every_) return true;
  // Past the budget, boundaries go unsaved: a run then goes back to an earlier one and runs
  // more steps again. Slower, never different.
  std::size_t held = depth_ < checkpoints_.size() ? checkpoints_[depth_].world.capacity() : 0;
  if (held < arena_.in_use() && kept_bytes_ - held + 2 * arena_.in_use() > budget_) return true;
  if (depth_ == checkpoints_.size()) checkpoints_.emplace_back();
  Checkpoint& saved = checkpoints_[depth_++];
  saved.step = step;
  saved.mark = source_.mark();
  arena_.save(saved.world);
  kept_bytes_ += saved.world.capacity() - held;
  return true;
}

// A save copies the whole world (about 10 KB); a run that resumes from a boundary k steps before
// the one it needs runs those steps again. With n boundaries a run takes past its prefix, saving
// every k-th costs n/k saves and about (k-1)/2 steps a run; with a save costing about half a
// step (measured: docs/PERFORMANCE.md, "Fewer saves") that is least at k = sqrt(n). A plain DFS
// takes 6 to 17 new steps a run, a reduced one 2 to 4, so k is picked from the runs so far.
void CheckpointedRuns::pick_save_every() {
  if (!pick_ || ++runs_ % kRunsPerPick != 0) return;
  double per_run = static_cast<double>(fresh_boundaries_) / static_cast<double>(runs_);
  save_every_ = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(std::sqrt(per_run))), 1, kMaxSaveEvery);
}

RunResult CheckpointedRuns::run(std::vector<ChoiceRecord> prefix, const StepVisitor* visitor,
                                std::size_t known, bool whole_path) {
  visitor_ = visitor;
  whole_path_ = whole_path;
  if (whole_path) known = 0;
  pick_save_every();
  // The last run's checkpoints that still hold: those taken before the first record of the
  // prefix that the caller does not know to be the last run's.
  std::size_t agree = std::min(known, prefix.size());
  while (depth_ > 0 && checkpoints_[depth_ - 1].mark.made > agree) --depth_;
  RunEnd end;
  try {
    if (!world_ || depth_ == 0) {
      start_world(std::move(prefix));
      WorldArena::Scope scope(arena_);
      end = world_->run(spec_.bounds.max_steps);
    } else {
      const Checkpoint& from = checkpoints_[depth_ - 1];
      arena_.restore(from.world);
      source_.rewind(from.mark, std::move(prefix));
      WorldArena::Scope scope(arena_);
      end = world_->resume(spec_.bounds.max_steps);
    }
  } catch (...) {
    // The exception's own text may be in the arena: copy it out, and start afresh next time.
    // The world, stopped mid-step, is forgotten rather than destroyed.
    world_ = nullptr;
    depth_ = 0;
    rethrow_outside();
  }
  RunResult result = result_of(*world_, end);
  result.choices = source_.take_made();
  result.used = source_.used();
  result.divergence = source_.divergence();
  return result;
}

RunResult DfsRuns::run(std::vector<ChoiceRecord> prefix, const StepVisitor* visitor, bool whole_path) {
  if (checkpointed_) {
    std::size_t known = prefix.empty() ? 0 : prefix.size() - 1;
    return checkpointed_->run(std::move(prefix), visitor, known, whole_path);
  }
  RunResult run = execute(spec_, prefix, false, false, visitor, sleep_sets_);
  if (may_checkpoint_ && run.restorable) {
    try {
      checkpointed_.emplace(spec_, sleep_sets_, fingerprints_);
    } catch (const ArenaFull&) {
      // No room for an arena (a strict overcommit policy, say): every run replays.
    }
  }
  may_checkpoint_ = false;
  return run;
}

void CheckpointedRuns::rethrow_outside() {
  try {
    throw;
  } catch (const SetupError& e) {
    throw SetupError(std::string(e.what()));
  } catch (const std::bad_alloc&) {
    throw;  // no text of its own (ArenaFull included)
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()));
  }
}

}  // namespace loopcheck

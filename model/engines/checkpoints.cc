#include "model/engines/checkpoints.h"

#include <stdexcept>
#include <string>

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

CheckpointedRuns::CheckpointedRuns(const RunSpec& spec, bool sleep_sets, bool fingerprints)
    : spec_(spec), source_({}, false, sleep_sets), fingerprints_(fingerprints) {}

// The world is forgotten with the arena: restorable worlds own nothing outside it.
CheckpointedRuns::~CheckpointedRuns() = default;

void CheckpointedRuns::start_world(const std::vector<ChoiceRecord>& prefix) {
  arena_.clear();
  depth_ = 0;
  source_.rewind(PrefixChoiceSource::Mark{}, prefix);
  WorldConfig config = world_config(spec_, false);
  WorldArena::Scope scope(arena_);
  world_ = new SimWorld(config, choices_);
  spec_.scenario->setup(*world_, spec_.params);
  world_->set_visitor([this](SimWorld& world) { return at_step(world); });
}

// Called between two steps, on the world's heap. The fingerprint a reduction's visitor asks for
// is made here first, on that heap; the world remembers it (SimWorld::fingerprint) so the
// visitor's own call, paused, allocates nothing in the world.
bool CheckpointedRuns::at_step(SimWorld& world) {
  if (fingerprints_) world.fingerprint();
  WorldArena::Pause pause;
  if (visitor_ && !(*visitor_)(world, source_)) return false;
  std::size_t step = world.steps();
  if (depth_ > 0 && checkpoints_[depth_ - 1].step >= step) return true;  // the one resumed from
  if (depth_ == checkpoints_.size()) checkpoints_.emplace_back();
  Checkpoint& saved = checkpoints_[depth_++];
  saved.step = step;
  saved.mark = source_.mark();
  arena_.save(saved.world);
  return true;
}

RunResult CheckpointedRuns::run(const std::vector<ChoiceRecord>& prefix, const StepVisitor* visitor) {
  visitor_ = visitor;
  // The last run's checkpoints that still hold: those taken before its first choice that this
  // prefix changes.
  const std::vector<ChoiceRecord>& made = source_.made();
  std::size_t agree = 0;
  while (agree < prefix.size() && agree < made.size() && prefix[agree].value == made[agree].value &&
         prefix[agree].range == made[agree].range && prefix[agree].kind == made[agree].kind) {
    ++agree;
  }
  while (depth_ > 0 && checkpoints_[depth_ - 1].mark.made > agree) --depth_;
  RunEnd end;
  try {
    if (!world_ || depth_ == 0) {
      start_world(prefix);
      WorldArena::Scope scope(arena_);
      end = world_->run(spec_.bounds.max_steps);
    } else {
      const Checkpoint& from = checkpoints_[depth_ - 1];
      arena_.restore(from.world);
      source_.rewind(from.mark, prefix);
      WorldArena::Scope scope(arena_);
      end = world_->resume(spec_.bounds.max_steps);
    }
  } catch (...) {
    // The exception's own text may be in the arena: copy it out, and start afresh next time.
    world_ = nullptr;
    depth_ = 0;
    rethrow_outside();
  }
  RunResult result = result_of(*world_, end);
  result.choices = source_.made();
  result.divergence = source_.divergence();
  return result;
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

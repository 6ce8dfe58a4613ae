// Which switch is to blame, when several are on. Two bugs can hide one another: in seed 000's
// story a receive cancelled by pause_reading (bpo-33694) loses the ClientHello before the
// deferred handshake (bpo-33674) can hand it to the app as plaintext, so with both on only the
// first shows. `blame` names what a counterexample needs; `peel` turns that off and explores
// again, so a user sees every bug the switches hold and which one strikes first.
#pragma once

#include <optional>
#include <vector>

#include "model/engines/exhaustive.h"
#include "model/engines/run.h"
#include "model/oracles/catalog.h"

namespace loopcheck {

// The catalog switches on in `spec`.
std::vector<const CatalogEntry*> switches_on(const RunSpec& spec);

// What a counterexample needs among the switches on: the ones to turn off so that the same
// choices (as far as the run still asks for them) no longer fail on the same oracle.
struct Blame {
  std::vector<const CatalogEntry*> switches;  // empty: it fails with every switch off too
  // True: each of them is needed (with any one off, it no longer fails). False: none is needed
  // alone but it passes with all of them off, so any one of them is enough to fail.
  bool each_needed = true;
};
Blame blame(const RunSpec& spec, const RunResult& counterexample);

struct PeeledFinding {
  Blame causes;             // what its counterexample needs
  RunResult counterexample; // shortest at its level of deviations, unshrunk
  RunSpec spec;             // the switches that were on when it was found
};

struct PeelResult {
  std::vector<PeeledFinding> findings;  // in the order they strike: each hid the ones after it
  ExploreResult last;                   // the round that ended it (clean, incomplete or blameless)
  RunSpec last_spec;                    // the switches still on in that round
};

// Explores `spec` exhaustively; on a violation, blames its shortest counterexample, turns its
// causes off and explores again, until a round has no violation, no switch is left on, or a
// violation has no cause among the switches.
PeelResult peel(const RunSpec& spec, const ExploreLimits& limits);

// What `explore` reports with several switches on: what the counterexample it shows needs, the
// switches that play no part in it, and, when there are such switches and it has a cause, the
// rounds peeled with its causes off.
struct Peeling {
  Blame shown;
  std::vector<const CatalogEntry*> idle;
  std::optional<PeelResult> rest;
};
Peeling blame_and_peel(const RunSpec& spec, const RunResult& shown, const ExploreLimits& limits);

}  // namespace loopcheck

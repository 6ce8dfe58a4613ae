// The scenarios the engines and the CLI can name: the built-in ones, then those a user's program
// adds (loopcheck_main adds the user's before it parses the command line). It also remembers
// which program this is, so that a reproducer names the binary that can replay it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/oracles/catalog.h"
#include "model/world/scenario.h"

namespace loopcheck {

const std::vector<const Scenario*>& all_scenarios();
const Scenario* find_scenario(std::string_view name);

// Appends a user's scenario. The scenario must outlive the program (a static, or owned by
// main). Returns an error for an empty name or one that is already taken; add scenarios before
// anything runs, since the list is read without locks.
std::optional<std::string> add_scenario(const Scenario& scenario);
// True for loopcheck's own scenarios, false for those a program added.
bool is_builtin(const Scenario& scenario);

// A switch lives in one transport family: the family of the scenario its catalog entry names.
// A scenario of another family never reaches it, so turning it on there would test nothing:
// the answer is why, for an error message.
std::optional<std::string> unreachable_switch(const CatalogEntry& entry, const Scenario& scenario);

// The program that writes reproducers: "loopcheck" for the stock CLI, the user's binary name
// otherwise. Written into every reproducer, so that another binary can say where a file it
// does not know came from.
const std::string& program_name();
void set_program_name(std::string name);

}  // namespace loopcheck

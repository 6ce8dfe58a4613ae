// The logic every fuzz target shares. A target is one transport family: the first input byte
// picks a scenario of that family, the rest are the run's choices. A violation prints the
// shrunk trace and the reproducer on stderr and aborts, which is how libFuzzer learns of it.
//
// The bug switches to hunt come from LOOPCHECK_FUZZ_BUGS (comma-separated ids), read once at
// start-up; without it the targets fuzz the fixed transports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace loopcheck::fuzz {

void initialize(std::string_view family);
int run_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace loopcheck::fuzz

// Fuzz target: the driver's TLS reactor (seed 001: the startup exchange over TLS 1.3, by
// the SSL protocol or by the seed's SSL socket); the input bytes are the schedule.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_driver.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  loopcheck::fuzz::initialize("tls reactor");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return loopcheck::fuzz::run_one_input(data, size);
}

// Fuzz target: the start_tls scenarios (loop.start_tls and StreamWriter.start_tls over the
// selector and proactor transports, OpenSSL TLS 1.3 PSK); the input bytes are the schedule.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_driver.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  loopcheck::fuzz::initialize("start tls");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return loopcheck::fuzz::run_one_input(data, size);
}

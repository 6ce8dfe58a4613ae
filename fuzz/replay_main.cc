// A standalone driver for any fuzz target, for compilers without libFuzzer: it runs every file
// named on the command line (directories are walked) through LLVMFuzzerTestOneInput once, so
// corpora replay as ordinary ctest tests. A crashing input aborts the process, as it would
// under libFuzzer. Installed as loopcheck::fuzz_replay_main, for a user's targets too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

// Optional, as under libFuzzer: a target that does not define it gets a null address here.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      std::vector<std::filesystem::path> files;
      for (std::filesystem::directory_iterator it(arg, error), end; !error && it != end; it.increment(error)) {
        if (it->is_regular_file()) files.push_back(it->path());
      }
      if (error) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", argv[i], error.message().c_str());
        ok = false;
      }
      std::sort(files.begin(), files.end());  // a stable order, whatever the file system says
      for (const auto& file : files) {
        bool read = run_file(file);
        ok &= read;
        ran += read ? 1 : 0;
      }
    } else if (std::filesystem::exists(arg, error)) {
      ok &= run_file(arg);
      ++ran;
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      ok = false;
    }
  }
  std::printf("replay: ran %zu input(s) through the target\n", ran);
  if (ran == 0) {
    std::fprintf(stderr, "replay: no inputs given; an empty corpus tests nothing\n");
    return 1;
  }
  return ok ? 0 : 1;
}

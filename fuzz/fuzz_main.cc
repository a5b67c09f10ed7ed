// A stand-in for libFuzzer's driver where there is none (g++ builds): runs
// LLVMFuzzerTestOneInput once on every file named on the command line and on every file
// under every directory named there, so that the seed corpus is replayed as a test.
// Exits 0 when all ran; a broken invariant aborts inside the target.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// Appends `path` to *inputs, or, for a directory, every regular file below it in sorted
// order so that runs are reproducible. False, with a message, when a path cannot be read.
bool CollectInputs(const fs::path& path, std::vector<fs::path>* inputs) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.message().c_str());
    return false;
  }
  if (!fs::is_directory(status)) {
    inputs->push_back(path);
    return true;
  }
  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(path, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error)) found.push_back(it->path());
  }
  if (error) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.message().c_str());
    return false;
  }
  std::sort(found.begin(), found.end());
  inputs->insert(inputs->end(), found.begin(), found.end());
  return true;
}

bool ReadWholeFile(const fs::path& path, std::string* bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  bytes->assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return !file.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <file or directory>...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!CollectInputs(argv[i], &inputs)) return 1;
  }
  // An empty corpus most likely means a wrong path, and a replay of nothing proves nothing.
  if (inputs.empty()) {
    std::fprintf(stderr, "%s: no inputs found\n", argv[0]);
    return 1;
  }
  std::string bytes;
  for (const fs::path& input : inputs) {
    if (!ReadWholeFile(input, &bytes)) {
      std::fprintf(stderr, "%s: cannot read\n", input.c_str());
      return 1;
    }
    // Printed before the run, so that the input that aborts is the last one named.
    std::printf("Running: %s (%zu bytes)\n", input.c_str(), bytes.size());
    std::fflush(stdout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: ran %zu inputs\n", argv[0], inputs.size());
  return 0;
}

// libFuzzer target: a small folder made from the input through the whole loader, isolated workers included
// (scripts/fuzz). Slower than fuzz_file: each input forks a worker.
#include "fuzz_entry.h"

#include <unistd.h>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() / ("ctview-fuzz-folder-" + std::to_string(::getpid()));
    ctview::fuzz::smallFolder(data, size, scratch);
    return 0;
}

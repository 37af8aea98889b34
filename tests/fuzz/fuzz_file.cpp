// libFuzzer target: one DICOM file through the header scan and both decoders, in this process (scripts/fuzz).
#include "fuzz_entry.h"

#include <unistd.h>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() / ("ctview-fuzz-file-" + std::to_string(::getpid()));
    ctview::fuzz::oneFile(data, size, scratch);
    return 0;
}

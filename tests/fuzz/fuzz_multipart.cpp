// libFuzzer target: a WADO-RS multipart/related answer through our splitter, in pieces (scripts/fuzz
// multipart).
#include "fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 0)
        ctview::fuzz::multipartStream(data, size);
    return 0;
}

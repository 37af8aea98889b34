#include "volume/load_options.h"

#include "base/error.h"
#include "base/fsutil.h"

namespace ctview {

void checkMemory(const std::string& what, double bytes, const std::string& shape,
                 const LoadOptions& options) {
    const double limit =
        options.memoryLimitBytes ? double(options.memoryLimitBytes) : 0.9 * double(availableMemoryBytes());
    if (limit > 0 && bytes > limit)
        throw DataError(what + ": the series needs " + humanBytes(std::uint64_t(bytes)) + " of memory (" +
                        shape + ") but only " + humanBytes(std::uint64_t(limit)) + " is available");
}

} // namespace ctview

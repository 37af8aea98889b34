#include "sources/isolated_file.h"

#include "base/error.h"
#include "base/isolate.h"

namespace ctview {

std::string isolatedOnFile(const std::filesystem::path& file, const std::function<std::string()>& task,
                           double timeoutSeconds, std::uint64_t memoryBudget) {
    IsolationOptions o;
    o.workers = 1;
    o.timeoutSeconds = timeoutSeconds;
    o.memoryBudgetBytes = memoryBudget;
    const auto results = runIsolated(
        1, [&](std::size_t) { return task(); }, o);
    const IsolatedResult& r = results[0];
    if (r.status == IsolatedResult::Status::Ok)
        return r.payload;
    if (r.status == IsolatedResult::Status::Failed && r.payload.rfind(file.string(), 0) == 0)
        throw DataError(r.payload);
    throw DataError(file.string() + ": " + r.describe());
}

} // namespace ctview

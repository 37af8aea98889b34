#pragma once
// One task on one file in one isolated worker (base/isolate.h), for the readers whose libraries may crash on
// a bad file (Teem, nifticlib): a crash, hang or overrun becomes a DataError naming the file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace ctview {

// Runs `task` in a worker; returns its result, or throws DataError naming `file` (a DataError thrown in the
// worker that already names the file is passed on as it is).
std::string isolatedOnFile(const std::filesystem::path& file, const std::function<std::string()>& task,
                           double timeoutSeconds, std::uint64_t memoryBudget);

} // namespace ctview

#pragma once
// Crash containment for untrusted files.
//
// Debian's GDCM is built with its assert()s on: some malformed files make it call abort(), dereference
// garbage or loop forever. One bad file must never take ctview down, so every parse and decode of an input
// file runs in a small pool of forked worker processes. A worker that dies (signal, abort, non-zero exit) or
// exceeds the time limit takes down only the task it held: that task is reported as Crashed/TimedOut and a
// fresh worker replaces it.
//
// Results travel back as bytes over a pipe; bulk output (decoded pixels) goes straight into memory the caller
// mapped MAP_SHARED before calling (see SharedBuffer), so nothing is copied twice.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ctview {

struct IsolatedResult {
    enum class Status { Ok, Failed, Crashed, TimedOut };
    Status status = Status::Crashed;
    std::string payload;          // Ok: what the task returned; Failed: the exception's message
    int signal = 0;               // Crashed: the signal that ended the worker (0 if it exited)
    std::string describe() const; // "crashed (signal 6, Aborted)", "timed out", or the failure message
};

struct IsolationOptions {
    int workers = 0;            // 0: one per core
    double timeoutSeconds = 60; // per task
    bool quietChildren = true;  // send the workers' stderr (GDCM's assertion text) to /dev/null
    // Address space a worker may add to what it inherits (RLIMIT_AS), so that a file whose header claims a
    // huge element makes its worker's allocation fail (the file is reported) instead of exhausting the
    // machine's memory. 0: no limit.
    std::uint64_t memoryBudgetBytes = 0;
    std::function<void(std::size_t done, std::size_t total)> progress; // called in the parent
    std::function<void(std::size_t task)> succeeded; // task returned normally; in the parent
};

// Run task(i) for i in [0, n) in worker processes; result i belongs to task i. A task returns a byte string,
// or throws (-> Failed with the message). The task runs in a forked copy of this process: it may read
// anything the caller had, and must write results only to its return value or to MAP_SHARED memory.
std::vector<IsolatedResult> runIsolated(std::size_t n, const std::function<std::string(std::size_t)>& task,
                                        const IsolationOptions& options = {});

// Anonymous memory for big buffers. Shared: written by forked workers, read by the parent (MAP_SHARED).
// Private: only this process writes it, and it may use transparent huge pages (fewer page faults when a
// 300 MB volume is filled; Linux gives huge pages to private anonymous memory, not to shared memory).
// Move-only; unmapped on destruction.
class SharedBuffer {
  public:
    enum class Sharing { Processes, Private };
    SharedBuffer() = default;
    explicit SharedBuffer(std::size_t bytes, Sharing sharing = Sharing::Processes);
    SharedBuffer(SharedBuffer&& o) noexcept;
    SharedBuffer& operator=(SharedBuffer&& o) noexcept;
    SharedBuffer(const SharedBuffer&) = delete;
    SharedBuffer& operator=(const SharedBuffer&) = delete;

    void* data() const { return data_; }
    std::size_t size() const { return size_; }
    // Another handle on the same memory, which stays mapped while any handle lives: the viewer shows a
    // series' slices from the loader's own buffer as they are decoded, without a copy.
    SharedBuffer share() const;

  private:
    std::shared_ptr<void> mapping_; // unmaps when the last handle goes
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace ctview

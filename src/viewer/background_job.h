#pragma once
// Work the window hands to a thread of its own so that it stays live (a fused series loaded and resampled, a
// curve over phases, a segmentation opened): the thread, the result handed over under a lock, the flag the
// frame loop polls, and what went wrong as a message. One piece of work per job; destroying it waits for it.
#include <atomic>
#include <functional>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace ctview::viewer {

template <class Result> class BackgroundJob {
  public:
    // Runs `work` on its thread. What it throws becomes the error: `outOfMemory` for std::bad_alloc, else the
    // exception's message (ctview's errors name the file or server). `wake` is called from the thread when
    // it is done.
    BackgroundJob(std::function<Result()> work, std::string outOfMemory, std::function<void()> wake) {
        thread_ = std::thread(
            [this, work = std::move(work), outOfMemory = std::move(outOfMemory), wake = std::move(wake)] {
                std::optional<Result> result;
                std::string error;
                try {
                    result = work();
                } catch (const std::bad_alloc&) {
                    error = outOfMemory;
                } catch (const std::exception& e) {
                    error = e.what();
                }
                {
                    std::lock_guard lock(mutex_);
                    result_ = std::move(result);
                    error_ = std::move(error);
                }
                finished_ = true;
                if (wake)
                    wake();
            });
    }
    ~BackgroundJob() { wait(); }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    bool finished() const { return finished_.load(); }
    void wait() {
        if (thread_.joinable())
            thread_.join();
    }
    // After finished(): the result, or nothing with `error` said.
    std::optional<Result> take(std::string& error) {
        std::lock_guard lock(mutex_);
        error = error_;
        return std::move(result_);
    }

  private:
    std::atomic<bool> finished_{false};
    mutable std::mutex mutex_;
    std::optional<Result> result_;
    std::string error_;
    std::thread thread_; // last: started once the members it writes exist
};

} // namespace ctview::viewer

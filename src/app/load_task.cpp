#include "app/load_task.h"

#include "core/error.h"

#include <new>

namespace ctview::app {

LoadTask::LoadTask(std::string input, std::string series, LoadOptions options, std::shared_ptr<const ScanResult> scan,
                   std::function<void()> wake)
    : input_(std::move(input)), wake_(std::move(wake)) {
    thread_ = std::thread(&LoadTask::run, this, std::move(series), std::move(options), std::move(scan));
}

LoadTask::~LoadTask() {
    if (thread_.joinable()) thread_.join();
}

void LoadTask::wait() {
    if (thread_.joinable()) thread_.join();
}

void LoadTask::progress(std::string& stage, std::size_t& done, std::size_t& total) const {
    std::lock_guard lock(mutex_);
    stage = stage_;
    done = done_;
    total = total_;
}

std::shared_ptr<ui::Dataset> LoadTask::take(std::string& error) {
    std::lock_guard lock(mutex_);
    error = error_;
    return std::move(result_);
}

void LoadTask::run(std::string series, LoadOptions options, std::shared_ptr<const ScanResult> scan) {
    options.progress = [this](const std::string& stage, std::size_t done, std::size_t total) {
        {
            std::lock_guard lock(mutex_);
            stage_ = stage;
            done_ = done;
            total_ = total;
        }
        if (wake_) wake_();
    };
    std::shared_ptr<ui::Dataset> result;
    std::string error;
    try {
        if (!scan) scan = std::make_shared<const ScanResult>(scanInput(input_, options));
        auto d = std::make_shared<ui::Dataset>();
        d->scan = scan;
        d->series = loadSeries(*scan, scan->pick(series), options);
        result = std::move(d);
    } catch (const std::bad_alloc&) {
        error = input_ + ": not enough memory to load this series";
    } catch (const std::exception& e) {
        error = e.what();
    }
    {
        std::lock_guard lock(mutex_);
        result_ = std::move(result);
        error_ = std::move(error);
    }
    finished_ = true;
    if (wake_) wake_();
}

} // namespace ctview::app

#include "viewer/curve_task.h"

#include "viewer/load_task.h"

#include <new>

namespace ctview::viewer {

CurveTask::CurveTask(std::string input, int series, int phases, Annotation of,
                     std::map<int, std::shared_ptr<Dataset>> kept, LoadOptions options,
                     std::function<void()> wake)
    : of_(std::move(of)) {
    thread_ = std::thread([this, input = std::move(input), series, phases, kept = std::move(kept),
                           options = std::move(options), wake = std::move(wake)]() mutable {
        std::vector<float> values;
        std::string error;
        try {
            for (int p = 1; p <= phases; ++p) {
                std::shared_ptr<const Dataset> d;
                if (const auto it = kept.find(p); it != kept.end()) {
                    d = it->second;
                } else {
                    LoadTask::Staging staging;
                    staging.stats3d = false;
                    options.phase = p;
                    d = LoadTask::loadNow(input, std::to_string(series), options, staging);
                }
                const Measurement m = measure(d->series.volume, of_, "the measurement");
                values.push_back(float(of_.type == AnnotationType::Point ? m.hu : m.roi.mean));
            }
        } catch (const std::bad_alloc&) {
            error = "not enough memory to load the phases";
        } catch (const std::exception& e) {
            error = e.what();
        }
        {
            std::lock_guard lock(mutex_);
            values_ = std::move(values);
            error_ = std::move(error);
        }
        finished_ = true;
        if (wake)
            wake();
    });
}

CurveTask::~CurveTask() {
    wait();
}

void CurveTask::wait() {
    if (thread_.joinable())
        thread_.join();
}

std::vector<float> CurveTask::take(std::string& error) {
    std::lock_guard lock(mutex_);
    error = error_;
    if (!error.empty())
        return {};
    return std::move(values_);
}

} // namespace ctview::viewer

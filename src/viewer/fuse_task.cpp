#include "viewer/fuse_task.h"

#include "viewer/fusion.h"
#include "viewer/load_task.h"

#include <new>

namespace ctview::viewer {

FuseTask::FuseTask(std::string input, std::string series, glm::dvec3 shift, std::shared_ptr<const Dataset> on,
                   LoadOptions options, std::function<void()> wake)
    : input_(std::move(input)), on_(std::move(on)) {
    thread_ = std::thread(
        [this, series = std::move(series), shift, options = std::move(options), wake = std::move(wake)] {
            std::optional<ImageLayerView> layer;
            std::string error;
            try {
                LoadTask::Staging staging;
                staging.stats3d = false; // not drawn in 3D
                std::shared_ptr<const Dataset> fused = LoadTask::loadNow(input_, series, options, staging);
                layer = makeImageLayer(*on_, std::move(fused), shift);
            } catch (const std::bad_alloc&) {
                error = input_ + ": not enough memory to fuse it";
            } catch (const std::exception& e) {
                error = e.what(); // DataError and UsageError name the input
            }
            {
                std::lock_guard lock(mutex_);
                layer_ = std::move(layer);
                error_ = std::move(error);
            }
            finished_ = true;
            if (wake)
                wake();
        });
}

FuseTask::~FuseTask() {
    wait();
}

void FuseTask::wait() {
    if (thread_.joinable())
        thread_.join();
}

std::optional<ImageLayerView> FuseTask::take(std::string& error) {
    std::lock_guard lock(mutex_);
    error = error_;
    return std::move(layer_);
}

} // namespace ctview::viewer

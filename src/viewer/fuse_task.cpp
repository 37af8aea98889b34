#include "viewer/fuse_task.h"

#include "viewer/fusion.h"
#include "viewer/load_task.h"

#include <new>

namespace ctview::viewer {

FuseTask::FuseTask(FuseRequest request, std::shared_ptr<const Dataset> on, LoadOptions options,
                   std::function<void()> wake)
    : input_(request.loaded ? request.loaded->series.about.location : request.input), on_(std::move(on)) {
    thread_ = std::thread(
        [this, request = std::move(request), options = std::move(options), wake = std::move(wake)]() mutable {
            std::optional<ImageLayerView> layer;
            std::optional<Registration> found;
            std::string error;
            try {
                std::shared_ptr<const Dataset> other = request.loaded;
                if (!other) {
                    LoadTask::Staging staging;
                    staging.stats3d = false; // not drawn in 3D
                    other = LoadTask::loadNow(request.input, request.series, options, staging);
                }
                glm::dmat4 toLayer = request.toLayer;
                if (request.registerFirst) {
                    found = registerRigid(on_->series.volume, other->series.volume, toLayer);
                    toLayer = found->link;
                }
                layer = makeImageLayer(*on_, std::move(other), toLayer, request.registerFirst);
            } catch (const std::bad_alloc&) {
                error = input_ + ": not enough memory to fuse it";
            } catch (const std::exception& e) {
                error = e.what(); // DataError and UsageError name the input
            }
            {
                std::lock_guard lock(mutex_);
                layer_ = std::move(layer);
                registration_ = found;
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

std::optional<Registration> FuseTask::registration() const {
    std::lock_guard lock(mutex_);
    return registration_;
}

} // namespace ctview::viewer

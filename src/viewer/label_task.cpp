#include "viewer/label_task.h"

#include "base/error.h"
#include "sources/layers.h"

#include <new>

namespace ctview::viewer {

namespace {
// A labelmap has a few hundred labels at most (TotalSegmentator's 117); an image read as one (an MR, a
// dose grid in whole numbers) has thousands of values.
constexpr std::size_t kMostLabels = 1000;
} // namespace

LabelTask::LabelTask(std::string file, std::shared_ptr<const Dataset> on, LoadOptions options, bool orOpen,
                     std::function<void()> wake)
    : file_(std::move(file)), on_(std::move(on)) {
    thread_ = std::thread([this, options = std::move(options), orOpen, wake = std::move(wake)] {
        std::shared_ptr<const LabelLayer> layer;
        std::string error;
        bool image = false;
        const bool mayBeImage = orOpen && layerMayBeImage(file_);
        try {
            LabelLayer l = openLayer(file_, on_->series, options);
            if (mayBeImage && l.segments.size() > kMostLabels) {
                image = true;
            } else {
                l.stats = measureSegments(l, on_->series.volume);
                layer = std::make_shared<const LabelLayer>(std::move(l));
            }
        } catch (const std::bad_alloc&) {
            error = file_ + ": not enough memory for its segments";
        } catch (const DataError& e) {
            // A dropped NIfTI or NRRD that is not a labelmap of this series (negative values, another
            // place): an image to open, not an error.
            image = mayBeImage;
            error = e.what();
        } catch (const std::exception& e) {
            error = e.what(); // a worker that timed out or died: said, not taken for an image
        }
        {
            std::lock_guard lock(mutex_);
            layer_ = std::move(layer);
            error_ = std::move(error);
            image_ = image;
        }
        finished_ = true;
        if (wake)
            wake();
    });
}

LabelTask::~LabelTask() {
    wait();
}

void LabelTask::wait() {
    if (thread_.joinable())
        thread_.join();
}

std::shared_ptr<const LabelLayer> LabelTask::take(std::string& error, bool& image) {
    std::lock_guard lock(mutex_);
    error = error_;
    image = image_;
    return layer_;
}

} // namespace ctview::viewer

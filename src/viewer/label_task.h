#pragma once
// A segmentation added to the open series from the window (dropped on it, or Open... with "Add as labels"):
// opened and measured on a thread of its own, so that the window stays live, then handed to the main thread,
// which adds it to the scene (addLabelLayer). One file per task.
#include "sources/dataset.h"
#include "viewer/background_job.h"
#include "volume/load_options.h"

#include <functional>
#include <memory>
#include <string>

namespace ctview::viewer {

class LabelTask {
  public:
    // `orOpen`: the file was dropped, and may be an image rather than this series' labels (a NIfTI or NRRD):
    // when it is not a labelmap of the series, take() says so with `image` (the window then opens it as a
    // series) rather than with an error. `wake` is called from the thread when it is done.
    LabelTask(std::string file, std::shared_ptr<const Dataset> on, LoadOptions options, bool orOpen,
              std::function<void()> wake);
    ~LabelTask();
    LabelTask(const LabelTask&) = delete;
    LabelTask& operator=(const LabelTask&) = delete;

    const std::string& file() const { return file_; }
    bool finished() const { return job_.finished(); }
    void wait() { job_.wait(); }
    // After finished(): the layer, measured on the series, or null with `error` (naming the file and why)
    // or `image` set.
    std::shared_ptr<const LabelLayer> take(std::string& error, bool& image);
    // The dataset it was opened on: added only if that is still the one shown.
    const Dataset* dataset() const { return on_.get(); }

  private:
    std::string file_;
    std::shared_ptr<const Dataset> on_;
    struct Opened {
        std::shared_ptr<const LabelLayer> layer;
        bool image = false; // not a labelmap of the series: an image to open
        std::string why;    // why it is not (the reader's message)
    };
    BackgroundJob<Opened> job_;
};

} // namespace ctview::viewer

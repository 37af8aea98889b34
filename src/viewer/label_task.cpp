#include "viewer/label_task.h"

#include "base/error.h"
#include "sources/layers.h"

namespace ctview::viewer {

namespace {
// A labelmap has a few hundred labels at most (TotalSegmentator's 117); an image read as one (an MR, a
// dose grid in whole numbers) has thousands of values.
constexpr std::size_t kMostLabels = 1000;
} // namespace

LabelTask::LabelTask(std::string file, std::shared_ptr<const Dataset> on, LoadOptions options, bool orOpen,
                     std::function<void()> wake)
    : file_(std::move(file)), on_(std::move(on)),
      job_(
          [file = file_, on = on_, options = std::move(options), orOpen] {
              Opened opened;
              const bool mayBeImage = orOpen && layerMayBeImage(file);
              try {
                  LabelLayer l = openLayer(file, on->series, options);
                  if (mayBeImage && l.segments.size() > kMostLabels) {
                      opened.image = true;
                  } else {
                      l.stats = measureSegments(l, on->series.volume);
                      opened.layer = std::make_shared<const LabelLayer>(std::move(l));
                  }
              } catch (const DataError& e) {
                  // A dropped NIfTI or NRRD that is not a labelmap of this series (negative values, another
                  // place): an image to open, not an error. Other failures (a worker that timed out or
                  // died) are said, not taken for an image.
                  opened.image = mayBeImage;
                  opened.why = e.what();
              }
              return opened;
          },
          file_ + ": not enough memory for its segments", std::move(wake)) {}

LabelTask::~LabelTask() = default;

std::shared_ptr<const LabelLayer> LabelTask::take(std::string& error, bool& image) {
    std::optional<Opened> opened = job_.take(error);
    image = opened && opened->image;
    if (opened && !opened->why.empty())
        error = opened->why;
    return opened ? opened->layer : nullptr;
}

} // namespace ctview::viewer

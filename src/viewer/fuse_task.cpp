#include "viewer/fuse_task.h"

#include "viewer/fusion.h"
#include "viewer/load_task.h"

namespace ctview::viewer {

FuseTask::FuseTask(FuseRequest request, std::shared_ptr<const Dataset> on, LoadOptions options,
                   std::function<void()> wake)
    : input_(request.loaded ? request.loaded->series.about.location : request.input), on_(std::move(on)),
      job_(
          [request = std::move(request), on = on_, options = std::move(options)] {
              std::shared_ptr<const Dataset> other = request.loaded;
              if (!other) {
                  LoadTask::Staging staging;
                  staging.stats3d = false; // not drawn in 3D
                  other = LoadTask::loadNow(request.input, request.series, options, staging);
              }
              Fused fused;
              glm::dmat4 toLayer = request.toLayer;
              if (request.registerFirst) {
                  fused.found = registerRigid(on->series.volume, other->series.volume, toLayer);
                  toLayer = fused.found->link;
              }
              // DataError and UsageError name the input.
              fused.layer = makeImageLayer(*on, std::move(other), toLayer, request.registerFirst);
              return fused;
          },
          input_ + ": not enough memory to fuse it", std::move(wake)) {}

FuseTask::~FuseTask() = default;

std::optional<ImageLayerView> FuseTask::take(std::string& error) {
    std::optional<Fused> fused = job_.take(error);
    if (!fused)
        return std::nullopt;
    registration_ = fused->found;
    return std::move(fused->layer);
}

} // namespace ctview::viewer

#include "app/movie_job.h"

#include "app/headless.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "viewer/load_task.h"
#include "volume/camera3d.h"

#include <cstdio>

namespace ctview::app {

MovieJob::MovieJob(std::filesystem::path dir, std::string name, MovieFormat format, int count, double fps,
                   std::function<RgbImage(int)> frame) {
    total_ = count;
    thread_ = std::thread([=, this, dir = std::move(dir), name = std::move(name), frame = std::move(frame)] {
        try {
            createFolder(dir);
            written_ = writeMovie(dir / name, format, count, fps, frame, false,
                                  [&](int done, int) { done_ = done; });
        } catch (const std::exception& e) {
            error_ = e.what();
        }
        finished_ = true;
    });
}

MovieJob::~MovieJob() {
    if (thread_.joinable())
        thread_.join();
}

std::filesystem::path MovieJob::result(std::string& error) const {
    error = error_;
    return written_;
}

std::unique_ptr<MovieJob> recordPhases(const viewer::AppState& s, int v, MovieFormat format,
                                       const std::map<int, std::shared_ptr<Dataset>>& kept,
                                       const LoadOptions& options) {
    const Provenance& about = s.scene.base->series.about;
    const std::string input = about.location, series = std::to_string(about.listing.number);
    const int phases = int(about.listing.phases);
    const Axis axis = s.views[std::size_t(v)].axis;
    const Slab slab = s.views[std::size_t(v)].slab;
    const WindowLevel wl = s.window;
    const ColormapTable map = viewer::displayColormap(s);
    const SliceFrame f = viewer::frameOf(s, v);
    const int k = viewer::sliceOf(s, v);
    const bool oblique = s.mpr.oblique, linear = s.linear;
    const SlicePlane plane = viewer::planeOf(s, v);
    char name[96];
    std::snprintf(name, sizeof name, "%d_%s%s-phases%s", about.listing.seriesNumber, axisName(axis),
                  oblique ? "-oblique" : "", movieExtension(format));
    return std::make_unique<MovieJob>(s.exportDir, name, format, phases, s.prefs.cineFps, [=](int n) {
        // Frame n (from 0) is phase n + 1, the one kept or loaded now (and dropped after its frame).
        std::shared_ptr<const Dataset> d;
        if (const auto it = kept.find(n + 1); it != kept.end()) {
            d = it->second;
        } else {
            viewer::LoadTask::Staging staging;
            staging.stats3d = false;
            LoadOptions o = options;
            o.phase = n + 1;
            d = viewer::LoadTask::loadNow(input, series, o, staging);
        }
        const Volume& vol = d->series.volume;
        return renderSlice(
            oblique ? extractPlane(vol, f, plane, slab, linear) : extractSlice(vol, axis, k, slab), wl, map);
    });
}

std::unique_ptr<MovieJob> recordSlices(const viewer::AppState& s, int v, MovieFormat format) {
    // Everything the thread needs, copied: the state goes on changing while it writes.
    std::shared_ptr<Dataset> data = s.scene.base;
    const Axis axis = s.views[std::size_t(v)].axis;
    const Slab slab = s.views[std::size_t(v)].slab;
    const WindowLevel wl = s.window;
    const ColormapTable map = viewer::displayColormap(s);
    const SliceFrame f = viewer::frameOf(s, v);
    char name[96];
    std::snprintf(name, sizeof name, "%d_%s%s%s", data->series.about.listing.seriesNumber, axisName(axis),
                  s.mpr.oblique ? "-oblique" : "", movieExtension(format));
    if (s.mpr.oblique) {
        // A turned view: its plane at each step along its normal, sampled as the view samples it.
        const SlicePlane plane = viewer::planeOf(s, v);
        const Geometry& g = data->series.volume.geometry();
        const PlaneSteps steps = planeSteps(g, plane);
        const glm::dvec3 centre = volumeCentre(g);
        const bool linear = s.linear;
        return std::make_unique<MovieJob>(
            s.exportDir, name, format, steps.count, s.prefs.cineFps, [=](int n) {
                SlicePlane at = plane;
                at.origin = centre + plane.normal * (steps.first + n * steps.step);
                return renderSlice(extractPlane(data->series.volume, f, at, slab, linear), wl, map);
            });
    }
    return std::make_unique<MovieJob>(s.exportDir, name, format, f.count, s.prefs.cineFps, [=](int n) {
        // Frame n (from 0) is slice number n + 1: the cine's order, top to bottom.
        return renderSlice(extractSlice(data->series.volume, axis, sliceIndex(f, n + 1), slab), wl, map);
    });
}

TurntableRecorder::TurntableRecorder(const viewer::AppState& s, glm::ivec2 size, MovieFormat format)
    : view_(alone3d(s)), start_(s.view3d.camera.rotation), size_(size), format_(format),
      count_(std::max(1, s.recording.turnFrames)) {
    // The frames wait in memory for the encoder (a GIF reads each twice: its palette, then its pixels).
    const double bytes = double(count_) * size.x * size.y * 3;
    if (bytes > 4.0 * (1 << 30))
        throw DataError("a turntable of " + std::to_string(count_) + " frames at " + std::to_string(size.x) +
                        "x" + std::to_string(size.y) + " needs " + std::to_string(int(bytes / (1 << 20))) +
                        " MiB: record fewer frames or a smaller view");
    frames_.reserve(std::size_t(count_));
}

void TurntableRecorder::step(Renderers& renderers, RendererSync& sync) {
    if (encoder_ || !error_.empty())
        return;
    try {
        const int i = int(frames_.size());
        view_.view3d.camera.rotation = turntableRotation(start_, view_.recording.turnDegrees, i, count_);
        frames_.push_back(drawOffscreen(view_, renderers, sync, size_, false));
    } catch (const std::exception& e) {
        error_ = e.what();
        return;
    }
    if (int(frames_.size()) < count_)
        return;
    const std::string name = std::to_string(view_.scene.base->series.about.listing.seriesNumber) + "_3d_" +
                             view_.view3d.presetName + "_turntable" + movieExtension(format_);
    encoder_ = std::make_unique<MovieJob>(view_.exportDir, name, format_, count_, kTurntableFps,
                                          [this](int n) { return frames_[std::size_t(n)]; });
}

std::filesystem::path TurntableRecorder::result(std::string& error) const {
    if (!error_.empty()) {
        error = error_;
        return {};
    }
    return encoder_ ? encoder_->result(error) : std::filesystem::path();
}

} // namespace ctview::app

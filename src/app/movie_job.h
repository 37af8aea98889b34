#pragma once
// Movies made in the window, with the pixels the command line writes for the same settings: Cine's "Record
// movie" (a slice view's slices, `ctview export --format mp4|gif`) and the 3D view's "Record" (a turntable,
// `ctview render --turntable`). Encoding runs on a thread of its own so that the window stays live; the 3D
// frames are drawn first, on the main thread (GL lives there), one per frame of the window.
#include "app/scene.h"
#include "media/movie.h"
#include "viewer/app_state.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ctview::app {

// writeMovie on a thread: `count` frames of `frame(n)` (called on that thread) at `fps` into the export
// folder `dir` (made when missing) as `name`, never replacing a file.
class MovieJob {
  public:
    MovieJob(std::filesystem::path dir, std::string name, MovieFormat format, int count, double fps,
             std::function<RgbImage(int)> frame);
    ~MovieJob(); // waits for the thread
    MovieJob(const MovieJob&) = delete;
    MovieJob& operator=(const MovieJob&) = delete;

    bool finished() const { return finished_; }
    int done() const { return done_; }
    int total() const { return total_; }
    // Once finished: the file written, or empty and `error` says why.
    std::filesystem::path result(std::string& error) const;

  private:
    std::atomic<int> done_{0}, total_{0};
    std::atomic<bool> finished_{false};
    std::filesystem::path written_;
    std::string error_;
    std::thread thread_;
};

// Cine's "Record movie": view v's slices in the order of their numbers (as the cine plays them), with the
// state's window, colour map and slab, at the cine's speed, as "<SeriesNumber>_<axis>.mp4" (or .gif).
std::unique_ptr<MovieJob> recordSlices(const viewer::AppState& s, int v, MovieFormat format);

// Cine's "Record movie" over a 4D series' phases (Cine::overPhases): view v's slice (or turned plane) at
// every phase in time order, as `export --over phases` makes it, as "<SeriesNumber>_<axis>-phases.mp4" (or
// .gif). `kept`: the phases the window holds (by number); the others are loaded, one at a time, on the job's
// thread with `options`.
std::unique_ptr<MovieJob> recordPhases(const viewer::AppState& s, int v, MovieFormat format,
                                       const std::map<int, std::shared_ptr<Dataset>>& kept,
                                       const LoadOptions& options);

// The 3D view's "Record": the view turning s.recording.turnDegrees in s.recording.turnFrames frames about the
// patient's head-feet axis from its current camera, with its preset, crop and quality, at `size` pixels, as
// "<SeriesNumber>_3d_<preset>_turntable.mp4" (or .gif). The frames are drawn with the window's renderers,
// one per step(), then encoded on a thread. Throws DataError when the frames would not fit in memory.
class TurntableRecorder {
  public:
    TurntableRecorder(const viewer::AppState& s, glm::ivec2 size, MovieFormat format);
    // Draws the next frame in the current GL context; after the last one, starts encoding.
    void step(Renderers& renderers, RendererSync& sync);
    bool drawing() const { return !encoder_; }
    bool finished() const { return !error_.empty() || (encoder_ && encoder_->finished()); }
    // Progress of the stage it is in: frames drawn while drawing(), then frames encoded, of total().
    int done() const { return encoder_ ? encoder_->done() : int(frames_.size()); }
    int total() const { return count_; }
    std::filesystem::path result(std::string& error) const;

  private:
    viewer::AppState view_; // the state as it was when recording began: the window goes on changing
    glm::dquat start_;
    glm::ivec2 size_;
    MovieFormat format_;
    int count_;
    std::vector<RgbImage> frames_;
    std::unique_ptr<MovieJob> encoder_;
    std::string error_;
};

} // namespace ctview::app

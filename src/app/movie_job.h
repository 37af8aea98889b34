#pragma once
// "Record movie" in the Cine section: a slice view's slices as one MP4 or GIF, written on a thread of its own
// so that the window stays live, with the pixels `ctview export --format mp4|gif` writes for the same
// settings.
#include "core/movie.h"
#include "ui/app_state.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

namespace ctview::app {

class MovieJob {
  public:
    // View v's slices in the order of their numbers (as the cine plays them), with the state's window, colour
    // map and slab, at the cine's speed, into the export folder as "<SeriesNumber>_<axis>.mp4" (or .gif),
    // never replacing a file.
    MovieJob(const ui::AppState& s, int v, MovieFormat format);
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

} // namespace ctview::app

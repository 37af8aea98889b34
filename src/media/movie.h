#pragma once
// Movies of rendered frames through FFmpeg's libraries: MP4 (H.264, yuv420p) and animated GIF. Written to a
// temporary file beside the target and renamed when complete, never replacing a file unless asked.
#include "volume/slice.h"

#include <filesystem>
#include <functional>
#include <string>

namespace ctview {

enum class MovieFormat { Mp4, Gif };
// "mp4" / "gif"; false for anything else.
bool parseMovieFormat(const std::string& name, MovieFormat& out);
const char* movieExtension(MovieFormat f); // ".mp4", ".gif"

// Writes `count` frames, `frame(i)` for i = 0 .. count-1 (all of one size; called twice per frame for a GIF:
// once to gather its colours, once to write), at `fps` frames a second, to `wanted` or a free name next to it
// unless `force`. Odd sizes are padded to even ones for H.264 (the last row or column repeated); H.264 is
// yuv420p, what every player plays, so colour is kept at half resolution (grey is not affected). A GIF holds
// the frames' own colours when they are 256 or fewer (every slice through a colour map is), else a palette of
// their 256 most common colours (at 5 bits a channel), each pixel the nearest of them. `progress(done,
// count)` follows the frames written. Returns the path written; throws DataError.
std::filesystem::path writeMovie(const std::filesystem::path& wanted, MovieFormat format, int count,
                                 double fps, const std::function<RgbImage(int)>& frame, bool force,
                                 const std::function<void(int, int)>& progress = {});

} // namespace ctview

#pragma once
// What keys and buttons do beyond changing the state: saving files.
#include "core/slice.h"
#include "ui/app_state.h"

#include <filesystem>
#include <vector>

namespace ctview::app {

// The active view's slice as PNG and JPEG at native resolution with the current window and colour map, into the
// export folder, never overwriting: the same pixels as `ctview export` with the same settings. A toast names the
// files (or the error). Returns the paths written.
std::vector<std::filesystem::path> saveSlice(ui::AppState& s, double now);

// A screenshot (the whole window's pixels) as PNG into the export folder; a toast names it.
std::filesystem::path saveScreenshot(ui::AppState& s, const RgbImage& pixels, double now);

} // namespace ctview::app

#pragma once
// The picture: the slice views drawn by the SliceRenderer from the AppState. The window's frame loop and the
// headless `ctview snapshot` both go through here, so that snapshots show exactly what the window shows.
#include "render/slice_renderer.h"
#include "ui/app_state.h"

#include <glm/glm.hpp>

#include <string>

namespace ctview::app {

// What the renderer currently holds, so that only changes reach the GPU (a new volume is the only upload).
struct RendererSync {
    const ui::Dataset* uploaded = nullptr;
    std::string colormap;
    bool invert = false, monochrome1 = false, linear = false, lutSet = false;
};

// Uploads a new volume, colour map or interpolation when the state asks for them. Throws GlError.
void syncRenderer(const ui::AppState& s, gl::SliceRenderer& r, RendererSync& sync);

// Clears the view area and draws the three slice views into the bound framebuffer.
void drawScene(const ui::AppState& s, gl::SliceRenderer& r, glm::ivec2 fbSize, float fbScale);

} // namespace ctview::app

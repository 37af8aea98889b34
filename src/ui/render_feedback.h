#pragma once
// What the renderers tell the user, owned by the renderers (app::Renderers) and read by the overlays and the
// status panel: not view state (nothing the user chose), so not in AppState.
#include <string>
#include <vector>

namespace ctview::ui {

// The 3D view's quality in one frame. While the user drags: Interactive (a fraction of the pixels,
// RenderFeedback::interactiveScale; twice the step, rays stopped at 0.95 opacity). When the drag ends, Full
// (every pixel, the user's step); but when a full frame would take longer than app::kReleaseBudgetSeconds,
// first Release (every pixel with the dragging frames' settings: about 0.6 of a full frame's time on
// llvmpipe), so that a sharp picture is up soon after the mouse is let go, and then Full, drawn
// over it in passes, one a frame (app::kPassSeconds).
enum class Quality3d { Full, Release, Interactive };

struct RenderFeedback {
    std::string note3d;       // e.g. the volume was downsampled for 3D, or why the 3D view is unavailable
    std::string labels3dNote; // segments shown that the 3D view leaves out (more groups than it samples)
    std::string shaderError;  // the last shader reload's compiler messages (file:line)
    std::vector<std::string> labelProblems; // label layers the slice views cannot show (GPU memory)
    std::string imageProblem;               // why the fused series is not shown (GPU memory); "" when it is
    bool beside3d = false;                  // side by side, the second series has a 3D view of its own
    // Adaptive quality: while the user drags (and a moment after), the 3D view renders at this fraction of
    // its pixels, adapted each frame from how long the last coarse frame took.
    float interactiveScale = 0.5f;
    Quality3d last3d = Quality3d::Full; // the quality of the 3D image on screen
    double fullSecondsPerPixel = 0; // the last full-quality 3D frame's time over its pixels; 0: not measured
    double partSeconds = 0; // the full frame being rendered in passes, a pass a frame: its time so far
};

} // namespace ctview::ui

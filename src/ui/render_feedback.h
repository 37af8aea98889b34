#pragma once
// What the renderers tell the user, owned by the renderers (app::Renderers) and read by the overlays and the
// status panel: not view state (nothing the user chose), so not in AppState.
#include <string>

namespace ctview::ui {

struct RenderFeedback {
    std::string note3d;      // e.g. the volume was downsampled for 3D, or why the 3D view is unavailable
    std::string shaderError; // the last shader reload's compiler messages (file:line)
    // Adaptive quality: while the user drags (and a moment after), the 3D view renders at this fraction of
    // its pixels, adapted each frame from how long the last coarse frame took.
    float interactiveScale = 0.5f;
};

} // namespace ctview::ui

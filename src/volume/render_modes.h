#pragma once
// The 3D view's render modes, one table (renderModes): what each mode is called, how the raymarcher runs it
// and what it uses. The CLI, the preset files, the 3D panel, the raymarcher and the docs read it.
#include <optional>
#include <string>
#include <vector>

namespace ctview {

enum class RenderMode { Composite, Mip, MinIp, Average, Isosurface };

// Everything ctview knows about a render mode, in one row: the CLI (--mode), the preset files, the 3D panel,
// the raymarcher (its #define, its body and its brick skipping) and docs/user/3d-view.md's list read this
// table. A new mode is a row here plus its body, a GLSL file in shaders/ that defines `vec4 march(Ray r,
// inout int budget)` (see shaders/raymarch.frag, the skeleton every body runs in).
struct RenderModeInfo {
    RenderMode mode;
    const char* name;      // --mode and preset files: "dvr"
    const char* label;     // the 3D panel: "Composite (DVR)"
    const char* define;    // the raymarcher's #define: "MODE_DVR"
    const char* body;      // the raymarcher's body for it: shaders/raymarch_dvr.glsl
    bool transferFunction; // composites through the transfer function (the editor is shown)
    bool usesColours;      // its transfer function's points take a colour map's colours ("apply colour map")
    bool shading;          // Blinn-Phong applies
    bool isovalue;         // shows a threshold's surface
    bool projection;       // one value per ray through the projection window and the colour map
    // How it leaps over empty space: bricks the transfer function makes transparent, bricks that do not reach
    // the threshold, bricks whose min/max cannot change the ray's extreme (coarser bricks), or not at all.
    enum class Skip { TransferFunction, Threshold, Extremes, None } skip;
};
const std::vector<RenderModeInfo>& renderModes();
const RenderModeInfo& modeInfo(RenderMode m);
// "dvr, mip, minip, avg or iso": every mode's name, for help texts and error messages.
std::string modeNameList();

const char* modeName(RenderMode m);
std::optional<RenderMode> parseMode(const std::string& text);
inline bool isProjection(RenderMode m) {
    return modeInfo(m).projection;
}

} // namespace ctview

#pragma once
// Transfer functions and 3D rendering presets. A transfer function maps HU to colour and opacity, piecewise
// linearly between points; a preset carries everything a 3D picture depends on besides the camera: the mode,
// the points and their colours, shading, the isosurface threshold and, for the projection modes, a window.
//
// Opacity is defined per millimetre of ray: a sample taken over a step of s mm gets 1 - (1 - a)^s, so that a
// preset looks the same at any sampling rate (and in interactive mode).
#include "volume/colormap.h"
#include "volume/render_modes.h"
#include "volume/window.h"

#include <glm/glm.hpp>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ctview {

struct TfPoint {
    float hu = 0;
    float opacity = 0;     // per mm, 0..1
    glm::vec3 color{1.0f}; // sRGB 0..1
    bool operator==(const TfPoint&) const = default;
};

struct Shading {
    bool enabled = true;
    float ambient = 0.25f, diffuse = 0.7f, specular = 0.3f, shininess = 24.0f;
    bool operator==(const Shading&) const = default;
};

struct RenderPreset {
    std::string name;  // file stem, e.g. "ct-bone"
    std::string title; // for menus, e.g. "CT bone"
    RenderMode mode = RenderMode::Composite;
    std::vector<TfPoint> points; // sorted by HU
    Shading shading;
    // Gradient opacity: samples where HU changes by less than `gradientOpacity.x` HU/mm are transparent,
    // rising to full at `gradientOpacity.y` (dims homogeneous regions, keeps boundaries).
    bool gradientOpacityOn = false;
    glm::vec2 gradientOpacity{10.0f, 60.0f};
    // Composite: leave out the air outside the body and what touches it (BrickGrid::exterior), so that the
    // skin's shell of partial-volume values does not hide what a lung transfer function shows inside.
    bool hideOutsideBody = false;
    float isoValue = 300;               // HU, isosurface mode
    WindowLevel window{2000, 500};      // projection modes
    std::string colormap = "grayscale"; // projection modes; also what "apply colour map" uses by default
    bool operator==(const RenderPreset& o) const;
};

// Colour and opacity at `hu`: linear between points, the end points' values beyond them. No points:
// transparent.
glm::vec4 evaluateTf(const std::vector<TfPoint>& points, float hu);

// Sorts by HU (stable, so that two points at one HU keep their order: a step).
void sortTf(std::vector<TfPoint>& points);

// Moves every point by `dHu` (dragging the whole function, like window/level).
void shiftTf(std::vector<TfPoint>& points, float dHu);

// The HU range where the function becomes visible: from its last transparent point before the first opaque
// one to the first point whose opacity reaches 80 % of the function's highest (where a DVR's surfaces are);
// the points' whole span when none is opaque.
glm::vec2 tfVisibleRange(const std::vector<TfPoint>& points);

// Colours the points from a colour map spread over tfVisibleRange (the map's ends beyond it).
void colorTfFromMap(std::vector<TfPoint>& points, const ColormapTable& map);
// Whether the points carry exactly the colours colorTfFromMap would give them with `map`.
bool tfCarriesMap(const std::vector<TfPoint>& points, const ColormapTable& map);

// The function sampled at `n` HU values from `huMin` to `huMax` (inclusive), as RGBA with the opacity
// corrected for a step of `stepMm` mm. What the renderer uploads as its lookup texture.
std::vector<std::array<float, 4>> bakeTf(const std::vector<TfPoint>& points, float huMin, float huMax, int n,
                                         float stepMm);

// Presets as JSON (assets/presets/*.json and the user's own). Parsing throws DataError naming the problem.
std::string presetToJson(const RenderPreset& p);
RenderPreset presetFromJson(const std::string& text, const std::string& name);
RenderPreset loadPresetFile(const std::filesystem::path& file);
// Writes atomically (temporary file + rename). Throws DataError.
void savePresetFile(const RenderPreset& p, const std::filesystem::path& file);

// Every *.json preset in `folder` (none when it does not exist), sorted by title; files that do not parse are
// left out with a message in `problems`.
std::vector<RenderPreset> loadPresetFolder(const std::filesystem::path& folder,
                                           std::vector<std::string>& problems);

// The bundled presets (embedded from assets/presets/ at build time), in menu order.
const std::vector<RenderPreset>& builtinPresets();
// A bundled preset by name ("ct-bone"), or null.
const RenderPreset* findBuiltinPreset(const std::string& name);
// What the 3D view starts with: CT bone.
RenderPreset defaultRenderPreset();
// A preset name made safe as a file stem: letters, digits, '-' and '_' kept, the rest '-'.
std::string presetFileStem(const std::string& title);

} // namespace ctview

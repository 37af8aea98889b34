#pragma once
// A second series fused over the base image (the scene's image layer): how the two are linked in patient
// space, and the layer made by resampling the second onto the base's grid through that link. Plain data and
// arithmetic, no GL: the window (on a thread of its own), `snapshot --fuse` and the tests make layers here.
#include "sources/dataset.h"
#include "viewer/app_state.h"

#include <glm/glm.hpp>

#include <memory>
#include <string>

namespace ctview::viewer {

// How `other` is placed over `base`, in words, for the panel and the commands' warnings: in one frame of
// reference (FrameOfReferenceUID (0020,0052) equal) their LPS coordinates are one space; otherwise they are
// taken as written, which is right only when the scanner placed both alike. `shift` (mm) is added.
std::string fusionLink(const Series& base, const Series& other, const glm::dvec3& shift);
// Whether the two series are in different frames of reference (or one does not say): their placement is a
// guess the user should check.
bool linkIsAGuess(const Series& base, const Series& other);

// `other` resampled (trilinear) onto `base`'s grid, moved by `shift` (its LPS point q lands on base point
// q + shift), its window the series' own (initialWindow). Takes a moment for a large series: the window calls
// it off the main thread.
ImageLayerView makeImageLayer(const Dataset& base, std::shared_ptr<const Dataset> other,
                              const glm::dvec3& shift = glm::dvec3(0.0));

// "X,Y,Z" in mm (e.g. "0,0,-12.5"); throws UsageError naming `option`.
glm::dvec3 parseShift(const std::string& text, const std::string& option);

// Shows `layer` over the base (replaces the one shown: one fused series at a time).
void setImageLayer(AppState& s, ImageLayerView layer);

// The layer's HU at base voxel `ijk` (kOutsideHu outside its data), for the probe.
float imageLayerHu(const ImageLayerView& layer, glm::ivec3 ijk);

// "overlay", "checkerboard", "difference", "side-by-side": the CLI's names of FusionMode.
const char* fusionModeName(FusionMode m);
// Throws UsageError naming `option` and the choices.
FusionMode parseFusionMode(const std::string& name, const std::string& option);

} // namespace ctview::viewer

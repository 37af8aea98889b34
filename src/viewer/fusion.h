#pragma once
// A second series fused over the base image (the scene's image layer): how the two are linked in patient
// space, and the layer made by resampling the second onto the base's grid through that link. Plain data and
// arithmetic, no GL: the window (on a thread of its own), `snapshot --fuse` and the tests make layers here.
#include "sources/dataset.h"
#include "viewer/app_state.h"
#include "volume/register.h"

#include <glm/glm.hpp>

#include <memory>
#include <string>

namespace ctview::viewer {

// How `other` is placed over `base`, in words, for the panel and the commands' warnings: in one frame of
// reference (FrameOfReferenceUID (0020,0052) equal) their LPS coordinates are one space; otherwise they are
// taken as written, which is right only when the scanner placed both alike. Then how far `toLayer` moves
// and turns it (a registration's, when `registered`).
std::string fusionLink(const Series& base, const Series& other, const glm::dmat4& toLayer,
                       bool registered = false);
// The link that moves the layer by `shift` mm (LPS): its point q lands on base point q + shift.
glm::dmat4 layerMovedBy(const glm::dvec3& shift);
// How far `toLayer` moves the layer at the base volume's centre `c` (mm, LPS).
glm::dvec3 layerMove(const glm::dmat4& toLayer, const glm::dvec3& c);
// Whether the two series are in different frames of reference (or one does not say): their placement is a
// guess the user should check.
bool linkIsAGuess(const Series& base, const Series& other);

// The grid a second series is resampled onto: the base's box and axes, each axis at the finer of the base's
// spacing and the second series' own along it (through `toLayer`), so that a thinner-sliced or finer prior
// keeps its detail in the views that show the base's planes (they sample the box in texture coordinates).
// The base's own grid when the second series is not finer, or when the finer grid would hold more voxels than
// the larger of the two series.
Geometry layerGrid(const Geometry& base, const Geometry& other, const glm::dmat4& toLayer);

// `other` resampled (trilinear) onto layerGrid through `toLayer` (base LPS -> its LPS), its window the
// series' own (initialWindow). Takes a moment for a large series: the window calls it off the main thread.
ImageLayerView makeImageLayer(const Dataset& base, std::shared_ptr<const Dataset> other,
                              const glm::dmat4& toLayer = glm::dmat4(1.0), bool registered = false);

// "X,Y,Z" in mm (e.g. "0,0,-12.5"); throws UsageError naming `option`.
glm::dvec3 parseShift(const std::string& text, const std::string& option);

// How a registration went, for a toast or a command's line: "NCC 0.87 -> 0.99, 0.8 s".
std::string describeRegistration(const Registration& r);
// Below this NCC after registering, the two images do not look alike (another patient, another body part, a
// contrast so different that NCC cannot tell): the registration is said to be doubtful.
inline constexpr double kRegistrationDoubtNcc = 0.8;
// "" when the registration looks right; else why to doubt it, to be said as a warning.
std::string registrationDoubt(const Registration& r);
// Gives `to` the look of `from` (mode, window, colour map, opacity, squares): the same series registered
// anew.
void copyLook(ImageLayerView& to, const ImageLayerView& from);

// Shows `layer` over the base (replaces the one shown: one fused series at a time).
void setImageLayer(AppState& s, ImageLayerView layer);

// The layer's HU at the centre of base voxel `ijk` (the nearest of its own voxels; kOutsideHu outside its
// data), for the probe. `base`: the grid it was made on.
float imageLayerHu(const ImageLayerView& layer, const Geometry& base, glm::ivec3 ijk);

// The colour map a mode starts with: hot over grey for an overlay and its squares; grey for the difference
// and for a series beside the other.
const char* defaultFusionColormap(FusionMode m);
// A new mode for `layer`; its colour map follows when it was the old mode's default.
void setFusionMode(ImageLayerView& layer, FusionMode m);

// "overlay", "checkerboard", "difference", "side-by-side": the CLI's names of FusionMode.
const char* fusionModeName(FusionMode m);
// Throws UsageError naming `option` and the choices.
FusionMode parseFusionMode(const std::string& name, const std::string& option);

} // namespace ctview::viewer

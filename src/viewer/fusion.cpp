#include "viewer/fusion.h"

#include "base/error.h"
#include "volume/register.h"
#include "volume/resample.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace ctview::viewer {

namespace {

// To a hundredth of a millimetre, trailing zeros dropped: "-5", "2.5", "0.12".
std::string hundredths(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", std::abs(v) < 0.005 ? 0.0 : v);
    std::string s = text;
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.')
        s.pop_back();
    return s;
}

std::string millimetres(const glm::dvec3& v) {
    return "(" + hundredths(v.x) + ", " + hundredths(v.y) + ", " + hundredths(v.z) + ") mm";
}

} // namespace

bool linkIsAGuess(const Series& base, const Series& other) {
    const std::string a = base.about.field("FrameOfReferenceUID"),
                      b = other.about.field("FrameOfReferenceUID");
    return a.empty() || a != b;
}

glm::dmat4 layerMovedBy(const glm::dvec3& shift) {
    return shiftLink(-shift);
}

glm::dvec3 layerMove(const glm::dmat4& toLayer, const glm::dvec3& c) {
    return c - glm::dvec3(toLayer * glm::dvec4(c, 1.0));
}

std::string fusionLink(const Series& base, const Series& other, const glm::dmat4& toLayer, bool registered) {
    std::string text =
        linkIsAGuess(base, other)
            ? "patient coordinates as written (not one frame of reference: check the alignment)"
            : "one frame of reference";
    if (registered)
        text += ", then registered";
    const glm::dvec3 moved = layerMove(toLayer, volumeCentre(base.volume.geometry()));
    const double degrees = rotationDegrees(toLayer);
    // Registered, the move is always said, none too: a shift the user gave may have been undone.
    if (registered || moved != glm::dvec3(0.0) || degrees >= 0.005) {
        text += (registered ? ": moved " : ", moved by ") + millimetres(moved);
        char turn[48];
        std::snprintf(turn, sizeof turn, " and turned %.2f deg", degrees);
        if (degrees >= 0.005)
            text += turn;
    }
    return text;
}

Geometry layerGrid(const Geometry& base, const Geometry& other, const glm::dmat4& toLayer) {
    Geometry g = base;
    const glm::dmat3 turn(toLayer); // base LPS directions -> the other's
    for (int a = 0; a < 3; ++a) {
        // The other series' step along base axis a: that of its own axis most nearly parallel to it.
        const glm::dvec3 d = turn * base.direction[a];
        int along = 0;
        for (int b = 1; b < 3; ++b)
            if (std::abs(glm::dot(d, other.direction[b])) > std::abs(glm::dot(d, other.direction[along])))
                along = b;
        const double extent = base.spacing[a] * base.dims[a];
        if (other.spacing[along] < base.spacing[a] * 0.99) { // finer, not a rounding of the same spacing
            g.dims[a] = std::max(1, int(std::ceil(extent / other.spacing[along] - 1e-6)));
            g.spacing[a] = extent / g.dims[a]; // the box exactly
        }
    }
    if (g.dims == base.dims || g.voxelCount() > std::max(base.voxelCount(), other.voxelCount()))
        return base;
    // The same box: its corner (half a voxel before the first centre) stays where the base's is.
    const glm::dvec3 corner = base.voxelToPatient(glm::dvec3(-0.5));
    g.origin = corner + g.voxelSteps() * glm::dvec3(0.5);
    return g;
}

ImageLayerView makeImageLayer(const Dataset& base, std::shared_ptr<const Dataset> other,
                              const glm::dmat4& toLayer, bool registered) {
    static std::atomic<std::uint64_t> next{1};
    ImageLayerView layer;
    const Geometry& grid = base.series.volume.geometry();
    layer.onBase = std::make_shared<const Volume>(resampleOnto(
        other->series.volume, layerGrid(grid, other->series.volume.geometry(), toLayer), toLayer));
    layer.stats = std::make_shared<const VolumeStats>(computeVolumeStats(*layer.onBase));
    layer.id = next++;
    layer.toLayer = toLayer;
    layer.registered = registered;
    layer.link = fusionLink(base.series, other->series, toLayer, registered);
    layer.window = initialWindow(other->series);
    layer.series = std::move(other);
    return layer;
}

glm::dvec3 parseShift(const std::string& text, const std::string& option) {
    glm::dvec3 v(0.0);
    char comma1 = 0, comma2 = 0;
    std::istringstream in(text);
    if (!(in >> v.x >> comma1 >> v.y >> comma2 >> v.z) || comma1 != ',' || comma2 != ',' || !in.eof() ||
        !std::isfinite(v.x) || !std::isfinite(v.y) || !std::isfinite(v.z))
        throw UsageError(option + " " + text + ": use X,Y,Z in mm (LPS), e.g. 0,0,-12.5");
    return v;
}

std::string registrationDoubt(const Registration& r) {
    if (r.ncc >= kRegistrationDoubtNcc)
        return {};
    char text[160];
    std::snprintf(text, sizeof text,
                  "the two do not look alike after registering (NCC %.2f, under %.2f): check the alignment; "
                  "are they the same patient and body part?",
                  r.ncc, kRegistrationDoubtNcc);
    return text;
}

std::string describeRegistration(const Registration& r) {
    char text[96];
    std::snprintf(text, sizeof text, "NCC %.3f -> %.3f, %.1f s", r.nccBefore, r.ncc, r.seconds);
    return text;
}

void copyLook(ImageLayerView& to, const ImageLayerView& from) {
    to.window = from.window;
    to.colormap = from.colormap;
    to.opacity = from.opacity;
    to.mode = from.mode;
    to.difference = from.difference;
    to.checkerMm = from.checkerMm;
    to.linkLook = from.linkLook;
    to.shown = from.shown;
}

void setImageLayer(AppState& s, ImageLayerView layer) {
    s.scene.images.clear();
    s.scene.images.push_back(std::move(layer));
}

float imageLayerHu(const ImageLayerView& layer, const Geometry& base, glm::ivec3 ijk) {
    const Volume& v = *layer.onBase;
    if (glm::any(glm::lessThan(ijk, glm::ivec3(0))) || glm::any(glm::greaterThanEqual(ijk, base.dims)))
        return kOutsideHu;
    // The same box: the base voxel's centre at the same fraction of it (layerGrid).
    const glm::ivec3 n = v.geometry().dims;
    const glm::dvec3 at = (glm::dvec3(ijk) + 0.5) * glm::dvec3(n) / glm::dvec3(base.dims) - 0.5;
    const glm::ivec3 q = glm::clamp(glm::ivec3(glm::floor(at + 0.5)), glm::ivec3(0), n - 1);
    return v.at(q.x, q.y, q.z);
}

const char* defaultFusionColormap(FusionMode m) {
    return m == FusionMode::Difference || m == FusionMode::SideBySide ? "grayscale" : "hot";
}

void setFusionMode(ImageLayerView& layer, FusionMode m) {
    if (layer.colormap == defaultFusionColormap(layer.mode))
        layer.colormap = defaultFusionColormap(m);
    layer.mode = m;
}

const char* fusionModeName(FusionMode m) {
    switch (m) {
    case FusionMode::Overlay:
        return "overlay";
    case FusionMode::Checkerboard:
        return "checkerboard";
    case FusionMode::Difference:
        return "difference";
    case FusionMode::SideBySide:
        return "side-by-side";
    }
    return "overlay";
}

FusionMode parseFusionMode(const std::string& name, const std::string& option) {
    for (FusionMode m :
         {FusionMode::Overlay, FusionMode::Checkerboard, FusionMode::Difference, FusionMode::SideBySide})
        if (name == fusionModeName(m))
            return m;
    throw UsageError(option + " " + name + ": use overlay, checkerboard, difference or side-by-side");
}

} // namespace ctview::viewer

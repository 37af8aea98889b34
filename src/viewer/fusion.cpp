#include "viewer/fusion.h"

#include "base/error.h"
#include "volume/resample.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace ctview::viewer {

namespace {

std::string millimetres(const glm::dvec3& v) {
    char text[96];
    std::snprintf(text, sizeof text, "(%g, %g, %g) mm", v.x, v.y, v.z);
    return text;
}

} // namespace

bool linkIsAGuess(const Series& base, const Series& other) {
    const std::string a = base.about.field("FrameOfReferenceUID"),
                      b = other.about.field("FrameOfReferenceUID");
    return a.empty() || a != b;
}

std::string fusionLink(const Series& base, const Series& other, const glm::dvec3& shift) {
    std::string text =
        linkIsAGuess(base, other)
            ? "patient coordinates as written (not one frame of reference: check the alignment)"
            : "one frame of reference";
    if (shift != glm::dvec3(0.0))
        text += ", shifted by " + millimetres(shift);
    return text;
}

ImageLayerView makeImageLayer(const Dataset& base, std::shared_ptr<const Dataset> other,
                              const glm::dvec3& shift) {
    static std::atomic<std::uint64_t> next{1};
    ImageLayerView layer;
    layer.onBase = std::make_shared<const Volume>(
        resampleOnto(other->series.volume, base.series.volume.geometry(), shiftLink(-shift)));
    layer.id = next++;
    layer.shift = shift;
    layer.link = fusionLink(base.series, other->series, shift);
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

void setImageLayer(AppState& s, ImageLayerView layer) {
    s.scene.images.clear();
    s.scene.images.push_back(std::move(layer));
}

float imageLayerHu(const ImageLayerView& layer, glm::ivec3 ijk) {
    const Volume& v = *layer.onBase;
    if (glm::any(glm::lessThan(ijk, glm::ivec3(0))) ||
        glm::any(glm::greaterThanEqual(ijk, v.geometry().dims)))
        return kOutsideHu;
    return v.at(ijk.x, ijk.y, ijk.z);
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

#include "volume/view.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ctview {

ViewMapping::ViewMapping(const SliceFrame& f, const Rect& view, const ViewCamera& cam)
    : frame_(f), rect_(view) {
    const double wMm = std::max(1e-6, f.width * f.hSpacing);
    const double hMm = std::max(1e-6, f.height * f.vSpacing);
    scale_ = std::max(1e-6, std::min(view.w / wMm, view.h / hMm) * cam.zoom);
    centre_ = glm::dvec2(view.x + view.w / 2.0, view.y + view.h / 2.0) + cam.pan * scale_;
}

ViewMapping::ViewMapping(const SliceFrame& f, const SlicePlane& p, const Geometry& g, const Rect& view,
                         const ViewCamera& cam)
    : ViewMapping(f, view, cam) {
    oblique_ = true;
    plane_ = p;
    geometry_ = g;
}

glm::dvec3 ViewMapping::screenToPatient(glm::dvec2 screen) const {
    return plane_.at((screen - centre_) / scale_);
}

glm::dvec2 ViewMapping::patientToScreen(glm::dvec3 lps) const {
    return centre_ + plane_.coordinates(lps) * scale_;
}

glm::mat4 ViewMapping::obliqueToTexture(float fbScale) const {
    const Geometry& g = geometry_;
    // texture = ((voxel + 0.5) / dims), voxel = D^-1 (lps - origin) / spacing, lps = plane.at((fb / fbScale
    // - centre) / scale): affine in the framebuffer pixel, so three columns and a translation.
    auto toTexture = [&](glm::dvec2 fb) {
        const glm::dvec3 ijk = g.patientToVoxel(screenToPatient(fb / double(fbScale)));
        return (ijk + 0.5) / glm::dvec3(glm::max(g.dims, glm::ivec3(1)));
    };
    const glm::dvec3 o = toTexture({0, 0});
    const glm::dvec3 ax = toTexture({1, 0}) - o, ay = toTexture({0, 1}) - o;
    glm::dmat4 m(0.0);
    m[0] = glm::dvec4(ax, 0);
    m[1] = glm::dvec4(ay, 0);
    m[3] = glm::dvec4(o, 1);
    return glm::mat4(m);
}

glm::dvec2 ViewMapping::screenToDisplay(glm::dvec2 s) const {
    return {(s.x - centre_.x) / (scale_ * frame_.hSpacing) + frame_.width / 2.0,
            (s.y - centre_.y) / (scale_ * frame_.vSpacing) + frame_.height / 2.0};
}

glm::dvec2 ViewMapping::displayToScreen(glm::dvec2 d) const {
    return {centre_.x + (d.x - frame_.width / 2.0) * scale_ * frame_.hSpacing,
            centre_.y + (d.y - frame_.height / 2.0) * scale_ * frame_.vSpacing};
}

bool ViewMapping::screenToVoxel(glm::dvec2 screen, int slice, glm::ivec3& voxel) const {
    const glm::dvec2 d = screenToDisplay(screen);
    const int h = int(std::floor(d.x)), v = int(std::floor(d.y));
    if (h < 0 || v < 0 || h >= frame_.width || v >= frame_.height)
        return false;
    voxel[frame_.nAxis] = slice;
    voxel[frame_.hAxis] = frame_.hFlip ? frame_.width - 1 - h : h;
    voxel[frame_.vAxis] = frame_.vFlip ? frame_.height - 1 - v : v;
    return true;
}

glm::dvec2 ViewMapping::voxelToScreen(glm::ivec3 voxel) const {
    if (oblique_)
        return voxelToScreen(glm::dvec3(voxel));
    const int h = frame_.hFlip ? frame_.width - 1 - voxel[frame_.hAxis] : voxel[frame_.hAxis];
    const int v = frame_.vFlip ? frame_.height - 1 - voxel[frame_.vAxis] : voxel[frame_.vAxis];
    return displayToScreen({h + 0.5, v + 0.5});
}

glm::dvec2 ViewMapping::voxelToScreen(glm::dvec3 voxel) const {
    if (oblique_)
        return patientToScreen(geometry_.voxelToPatient(voxel));
    const double h = frame_.hFlip ? frame_.width - 1 - voxel[frame_.hAxis] : voxel[frame_.hAxis];
    const double v = frame_.vFlip ? frame_.height - 1 - voxel[frame_.vAxis] : voxel[frame_.vAxis];
    return displayToScreen({h + 0.5, v + 0.5});
}

glm::mat4 ViewMapping::framebufferToTexture(int slice, float fbScale) const {
    // display h = a_h * fb.x + b_h, with fb.x = screen.x * fbScale; texture coordinate along the voxel axis
    // is h / width, or (width - h) / width when the view runs against the axis. Voxel centres land on (n +
    // 0.5) / N.
    const double sh = 1.0 / (scale_ * frame_.hSpacing * fbScale);
    const double sv = 1.0 / (scale_ * frame_.vSpacing * fbScale);
    const double bh = -centre_.x / (scale_ * frame_.hSpacing) + frame_.width / 2.0;
    const double bv = -centre_.y / (scale_ * frame_.vSpacing) + frame_.height / 2.0;
    glm::dmat4 m(0.0); // column-major: m[column][row]
    auto setRow = [&](int row, double ax, double ay, double b) {
        m[0][row] = ax;
        m[1][row] = ay;
        m[3][row] = b;
    };
    const double W = frame_.width, H = frame_.height;
    if (frame_.hFlip)
        setRow(frame_.hAxis, -sh / W, 0, (W - bh) / W);
    else
        setRow(frame_.hAxis, sh / W, 0, bh / W);
    if (frame_.vFlip)
        setRow(frame_.vAxis, 0, -sv / H, (H - bv) / H);
    else
        setRow(frame_.vAxis, 0, sv / H, bv / H);
    setRow(frame_.nAxis, 0, 0, (slice + 0.5) / std::max(1, frame_.count));
    m[3][3] = 1;
    return glm::mat4(m);
}

void zoomAbout(ViewCamera& cam, const ViewMapping& m, glm::dvec2 screen, double factor) {
    const double newZoom = std::clamp(cam.zoom * factor, 0.1, 64.0);
    // The slice point under the cursor, in mm from the image centre; after zooming it must still be there.
    const glm::dvec2 p = (screen - m.imageCentre()) / m.pixelsPerMm();
    const double newScale = m.pixelsPerMm() * newZoom / cam.zoom;
    const glm::dvec2 newCentre = screen - p * newScale;
    const Rect& r = m.rect();
    cam.pan = (newCentre - glm::dvec2(r.x + r.w / 2.0, r.y + r.h / 2.0)) / newScale;
    cam.zoom = newZoom;
}

std::string directionLetters(glm::dvec3 d) {
    const char pos[3] = {'L', 'P', 'S'}, neg[3] = {'R', 'A', 'I'};
    int order[3] = {0, 1, 2};
    std::sort(order, order + 3, [&](int a, int b) { return std::abs(d[a]) > std::abs(d[b]); });
    std::string s;
    for (int a : order)
        if (std::abs(d[a]) >= 0.25)
            s += d[a] > 0 ? pos[a] : neg[a];
    return s;
}

EdgeLetters edgeLetters(const Geometry& g, const SliceFrame& f) {
    const glm::dvec3 right = g.direction[f.hAxis] * (f.hFlip ? -1.0 : 1.0);
    const glm::dvec3 down = g.direction[f.vAxis] * (f.vFlip ? -1.0 : 1.0);
    return {directionLetters(-right), directionLetters(right), directionLetters(-down),
            directionLetters(down)};
}

double scaleBarLength(double maxMm) {
    double best = 1;
    for (double decade = 1; decade <= 1e4; decade *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (m * decade <= maxMm)
                best = m * decade;
    return best;
}

WindowLevel autoWindow(const Volume& v) {
    // A histogram over 1 HU bins from -1024 to 3071 (CT's useful range), of every voxel of a small volume and
    // a regular subsample of a big one.
    constexpr int lo = -1024, bins = 4096;
    std::vector<std::uint64_t> hist(bins, 0);
    std::uint64_t count = 0, below = 0; // voxels in range, and of them below -500 HU (air or lung)
    const std::size_t n = v.geometry().voxelCount();
    const std::size_t stride = std::max<std::size_t>(1, n / 4'000'000);
    for (std::size_t at = 0; at < n; at += stride) {
        const float hu = v.type() == ScalarType::Int16 ? float(v.int16Data()[at]) : v.float32Data()[at];
        if (!(hu >= lo))
            continue; // NaN-safe
        const int b = std::min(bins - 1, int(std::floor(hu)) - lo);
        ++hist[std::size_t(b)];
        ++count;
        below += hu < -500;
    }
    if (count == 0)
        return {400, 40};
    auto mass = [&](int from, int to) { // voxels in [from, to] HU
        std::uint64_t m = 0;
        for (int hu = std::max(from, lo); hu <= std::min(to, lo + bins - 1); ++hu)
            m += hist[std::size_t(hu - lo)];
        return m;
    };
    // The highest point of the histogram smoothed over 21 HU, within [from, to].
    auto peak = [&](int from, int to) {
        int best = (from + to) / 2;
        std::uint64_t bestMass = 0;
        for (int hu = from; hu <= to; ++hu)
            if (const std::uint64_t m = mass(hu - 10, hu + 10); m > bestMass)
                bestMass = m, best = hu;
        return best;
    };
    const std::uint64_t soft = mass(-150, 250), lung = mass(-920, -600), body = soft + lung + mass(251, 3071);
    if (below > count / 100 && soft > 0 && body > 0) {
        // CT (it has air). A chest, where lung (-920..-600 HU) is at least 15 % of the tissue and has a peak
        // of its own (lung parenchyma about -850 HU, above the tail of the air's noise at -950), is read in
        // the lung window (an abdomen's lung bases and the air's tail are not that); anything else in the
        // soft-tissue window on its soft-tissue peak (liver, muscle, brain).
        const int lungPeak = peak(-920, -650);
        const bool distinct = lungPeak > -915 && mass(lungPeak - 10, lungPeak + 10) > mass(-960, -940);
        if (distinct && lung * 100 >= 15 * (soft + lung))
            return {1500, double(std::clamp(lungPeak + 250, -700, -500))};
        return {400, double(peak(-60, 150))};
    }
    // No air: not HU as CT has them (MR, a cropped volume): the 1st to 99th percentile of what is there.
    auto percentile = [&](double p) {
        const std::uint64_t target = std::uint64_t(p * double(count));
        std::uint64_t sum = 0;
        for (int b = 0; b < bins; ++b) {
            sum += hist[std::size_t(b)];
            if (sum > target)
                return double(b + lo);
        }
        return double(bins - 1 + lo);
    };
    const double a = percentile(0.01), b = percentile(0.99);
    return {std::max(1.0, b - a), std::round((a + b) / 2)};
}

} // namespace ctview

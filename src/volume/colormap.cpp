#include "volume/colormap.h"

#include "base/error.h"

#include <algorithm>
#include <cmath>

namespace ctview {

namespace {

struct Anchor {
    double t;
    double r, g, b; // 0..1
};

// Perceptually uniform maps given by nine evenly spaced colours each (the published values of the maps at
// 0, 1/8, ..., 1), interpolated linearly; bone and hot by their piecewise-linear definitions.
std::vector<Anchor> fromHex(std::initializer_list<unsigned> colours) {
    std::vector<Anchor> a;
    const double n = double(colours.size() - 1);
    int i = 0;
    for (unsigned c : colours) {
        a.push_back({i / n, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0});
        ++i;
    }
    return a;
}

std::vector<Anchor> anchorsFor(const std::string& name) {
    if (name == "grayscale")
        return {{0, 0, 0, 0}, {1, 1, 1, 1}};
    if (name == "viridis")
        return fromHex(
            {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725});
    if (name == "inferno")
        return fromHex(
            {0x000004, 0x1f0c48, 0x550f6d, 0x88226a, 0xba3655, 0xe35933, 0xf98e09, 0xf9cb35, 0xfcffa4});
    if (name == "magma")
        return fromHex(
            {0x000004, 0x1c1044, 0x4f127b, 0x812581, 0xb5367a, 0xe55964, 0xfb8761, 0xfec287, 0xfcfdbf});
    if (name == "plasma")
        return fromHex(
            {0x0d0887, 0x4c02a1, 0x7e03a8, 0xa92395, 0xcc4778, 0xe66c5c, 0xf89540, 0xfdc527, 0xf0f921});
    if (name == "turbo")
        return fromHex(
            {0x30123b, 0x4662d7, 0x36aaf9, 0x1ae4b6, 0x72fe5e, 0xc8ef34, 0xfaba39, 0xf66b19, 0x7a0403});
    return {};
}

double piecewise(const std::vector<std::pair<double, double>>& pts, double t) {
    for (std::size_t i = 1; i < pts.size(); ++i)
        if (t <= pts[i].first) {
            const auto [t0, v0] = pts[i - 1];
            const auto [t1, v1] = pts[i];
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0);
        }
    return pts.back().second;
}

} // namespace

const std::vector<std::string>& colormapNames() {
    static const std::vector<std::string> names = {"grayscale", "viridis", "inferno", "magma",
                                                   "plasma",    "turbo",   "bone",    "hot"};
    return names;
}

ColormapTable colormapTable(const std::string& name, bool invert) {
    if (std::find(colormapNames().begin(), colormapNames().end(), name) == colormapNames().end())
        throw UsageError("unknown colormap '" + name +
                         "' (one of: grayscale, viridis, inferno, magma, plasma, "
                         "turbo, bone, hot)");
    ColormapTable table{};
    const auto anchors = anchorsFor(name);
    for (int i = 0; i < 256; ++i) {
        const double t = (invert ? 255 - i : i) / 255.0;
        double r, g, b;
        if (name == "bone") {
            r = piecewise({{0, 0}, {0.746032, 0.652778}, {1, 1}}, t);
            g = piecewise({{0, 0}, {0.365079, 0.319444}, {0.746032, 0.777778}, {1, 1}}, t);
            b = piecewise({{0, 0}, {0.365079, 0.444444}, {1, 1}}, t);
        } else if (name == "hot") {
            r = piecewise({{0, 0.0416}, {0.365079, 1}, {1, 1}}, t);
            g = piecewise({{0, 0}, {0.365079, 0}, {0.746032, 1}, {1, 1}}, t);
            b = piecewise({{0, 0}, {0.746032, 0}, {1, 1}}, t);
        } else {
            std::size_t k = 1;
            while (k + 1 < anchors.size() && anchors[k].t < t)
                ++k;
            const Anchor& a = anchors[k - 1];
            const Anchor& c = anchors[k];
            const double f = std::clamp((t - a.t) / (c.t - a.t), 0.0, 1.0);
            r = a.r + (c.r - a.r) * f;
            g = a.g + (c.g - a.g) * f;
            b = a.b + (c.b - a.b) * f;
        }
        table[std::size_t(i)] = {std::uint8_t(std::lround(r * 255)), std::uint8_t(std::lround(g * 255)),
                                 std::uint8_t(std::lround(b * 255))};
    }
    return table;
}

glm::vec3 cielabToRgb(std::uint16_t l16, std::uint16_t a16, std::uint16_t b16) {
    // PS3.3 C.10.7.1.1: L* 0..100 as 0..0xFFFF, a* and b* -128..127 as 0..0xFFFF.
    const double L = l16 * 100.0 / 65535.0;
    const double a = a16 * 255.0 / 65535.0 - 128.0, b = b16 * 255.0 / 65535.0 - 128.0;
    // CIELab -> XYZ under D65 (DICOM's illuminant), then XYZ -> linear sRGB -> sRGB.
    const double fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
    auto finv = [](double t) {
        return t > 6.0 / 29 ? t * t * t : 3 * (6.0 / 29) * (6.0 / 29) * (t - 4.0 / 29);
    };
    const double X = 0.950489 * finv(fx), Y = finv(fy), Z = 1.088840 * finv(fz);
    const double r = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z;
    const double g = -0.9692660 * X + 1.8760108 * Y + 0.0415560 * Z;
    const double bl = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z;
    auto gamma = [](double c) {
        c = std::clamp(c, 0.0, 1.0);
        return float(c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1 / 2.4) - 0.055);
    };
    return {gamma(r), gamma(g), gamma(bl)};
}

std::array<int, 3> rgbToCielab(const glm::vec3& c) {
    auto linear = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    const double r = linear(c.r), g = linear(c.g), b = linear(c.b);
    const double X = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.950489;
    const double Y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    const double Z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.088840;
    auto f = [](double v) { return v > 216.0 / 24389 ? std::cbrt(v) : (24389.0 / 27 * v + 16) / 116; };
    const double L = 116 * f(Y) - 16, A = 500 * (f(X) - f(Y)), B = 200 * (f(Y) - f(Z));
    auto scaled = [](double v, double lo, double hi) {
        return int(std::lround(std::clamp((v - lo) / (hi - lo), 0.0, 1.0) * 65535));
    };
    return {scaled(L, 0, 100), scaled(A, -128, 127), scaled(B, -128, 127)};
}

} // namespace ctview

#pragma once
// Reading PNGs back and comparing renders with the baselines in tests/golden/ (shared by the snapshot and the
// 3D render tests).
#include "testutil.h"

#include "dicom/phantom.h"

#include <catch2/catch.hpp>
#include <stb/stb_image.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace ctview::test {

// The 64 x 64 x 40 phantom the GL tests render, written once per test binary run.
inline const std::filesystem::path& glPhantom() {
    static TempDir dir;
    static const std::filesystem::path p = [] {
        writePhantom(dir.path / "phantom", 64, 64, 40);
        return dir.path / "phantom";
    }();
    return p;
}

struct Image {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    const unsigned char* at(int x, int y) const {
        return &rgb[(std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3];
    }
};
inline Image readPng(const std::filesystem::path& p) {
    Image img;
    int n = 0;
    unsigned char* data = stbi_load(p.c_str(), &img.width, &img.height, &n, 3);
    if (!data)
        return img;
    img.rgb.assign(data, data + std::size_t(img.width) * std::size_t(img.height) * 3);
    stbi_image_free(data);
    return img;
}

inline bool haveDisplay() {
    const char* d = std::getenv("DISPLAY");
    return d && *d;
}

// Compares a render with tests/golden/<name>.png. Tolerance: llvmpipe versions may differ by rounding, and
// text antialiasing by a little more: at most 0.5 % of pixels may differ by more than 24 in any channel, and
// the mean absolute difference must stay under 1.0. A missing baseline is written from the render, and the
// test fails.
inline void compareGolden(const std::filesystem::path& render, const std::string& name) {
    const std::filesystem::path golden = std::filesystem::path(CTVIEW_GOLDEN_DIR) / (name + ".png");
    if (!std::filesystem::exists(golden)) {
        std::filesystem::copy_file(render, golden);
        FAIL("no baseline " << golden << ": wrote the render there; look at it and commit it if it is right");
    }
    const Image a = readPng(render), b = readPng(golden);
    REQUIRE(a.width == b.width);
    REQUIRE(a.height == b.height);
    std::size_t bad = 0;
    double sum = 0;
    for (std::size_t n = 0; n < a.rgb.size(); n += 3) {
        int worst = 0;
        for (int c = 0; c < 3; ++c) {
            const int d = std::abs(int(a.rgb[n + std::size_t(c)]) - int(b.rgb[n + std::size_t(c)]));
            worst = std::max(worst, d);
            sum += d;
        }
        bad += worst > 24;
    }
    const double mean = sum / double(a.rgb.size());
    INFO("golden " << golden << ": " << bad << " pixels differ by more than 24, mean difference " << mean);
    CHECK(double(bad) <= 0.005 * a.width * a.height);
    CHECK(mean < 1.0);
}

} // namespace ctview::test

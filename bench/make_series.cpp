// Benchmark inputs written the way scanners and other tools write them, not only as `ctview make-phantom`
// does: the phantom's anatomy (dicom/phantom) stored with a vendor's encoding. Each kind names one encoding;
// the tests prove the fast paths equal to GDCM on the same encodings (tests/test_encodings.cpp).
//
// Usage: ctview_bench_series KIND N DIR   (512x512xN slices into DIR)
//        ctview_bench_series --list       (the kinds, one per line: name and what it is)
#include "dicom/dicom_write.h"
#include "dicom/phantom.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace {

using ctview::SeriesSpec;
using ctview::WriteSyntax;

struct Kind {
    const char* name;
    const char* what;
    std::function<void(SeriesSpec&)> apply;
};

// GE-like: signed 16-bit, BitsStored 16, intercept -1024, PixelPaddingValue -2000 (0028,0120) outside the
// reconstruction circle (the field of view), as GE scanners write it.
void geLike(SeriesSpec& s) {
    const auto phantom = s.stored;
    const int columns = s.columns, rows = s.rows;
    s.bitsStored = 16;
    s.pixelRepresentation = 1;
    s.paddingValue = -2000;
    s.stored = [=](int i, int j, int k) {
        const double dx = i + 0.5 - columns / 2.0, dy = j + 0.5 - rows / 2.0;
        if (dx * dx + dy * dy > 0.25 * columns * columns)
            return -2000.0;
        return phantom(i, j, k); // HU + 1024
    };
}

// GE-like pixels in another transfer syntax.
std::function<void(SeriesSpec&)> geIn(WriteSyntax syntax) {
    return [syntax](SeriesSpec& s) {
        geLike(s);
        s.syntax = syntax;
    };
}

// Signed 32-bit cells holding HU + 1024, as secondary captures and dose grids come.
void int32Cells(SeriesSpec& s) {
    s.bitsAllocated = 32;
    s.bitsStored = 32;
    s.pixelRepresentation = 1;
}

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> table = {
        {"phantom", "ctview make-phantom: unsigned, BitsStored 12, explicit VR LE", [](SeriesSpec&) {}},
        {"ge", "GE-like: signed 16-bit, BitsStored 16, padding -2000 outside the FOV, explicit VR LE",
         geLike},
        {"ge-implicit", "GE-like, implicit VR LE", geIn(WriteSyntax::ImplicitLE)},
        {"ge-bigendian", "GE-like, explicit VR big endian (retired syntax, old archives)",
         geIn(WriteSyntax::ExplicitBE)},
        {"siemens", "Siemens-like: unsigned, BitsStored 12, intercept -1024, implicit VR LE",
         [](SeriesSpec& s) { s.syntax = WriteSyntax::ImplicitLE; }},
        {"philips-slope", "slope 0.5 (float32 volume): unsigned 16-bit, stored = 2 (HU + 1024)",
         [](SeriesSpec& s) {
             const auto phantom = s.stored;
             s.bitsStored = 16;
             s.slope = [](int) { return 0.5; };
             s.stored = [=](int i, int j, int k) { return 2 * phantom(i, j, k); };
         }},
        {"padding-range", "signed 16-bit with padding range -2048..-1025 (0028,0120/0121)",
         [](SeriesSpec& s) {
             geLike(s);
             s.paddingValue = -2048;
             s.paddingRangeLimit = -1025;
             const auto ge = s.stored;
             s.stored = [=](int i, int j, int k) {
                 const double v = ge(i, j, k);
                 return v == -2000.0 ? -1025.0 - double((i + j + k) % 1000) : v;
             };
         }},
        {"int32", "signed 32-bit, BitsStored 32 (secondary captures, dose grids), intercept -1024",
         int32Cells},
        {"int32-bigendian", "signed 32-bit, explicit VR big endian",
         [](SeriesSpec& s) {
             int32Cells(s);
             s.syntax = WriteSyntax::ExplicitBE;
         }},
        {"tilted", "GE-like with a 15 degree gantry tilt (resampled onto a regular grid when loaded)",
         [](SeriesSpec& s) {
             geLike(s);
             // Each slice shifted along y by step * tan(tilt), as a tilted gantry acquires them.
             const double shift = s.sliceStep * std::tan(15.0 * M_PI / 180.0);
             for (int k = 0; k < s.slices; ++k)
                 s.positions.push_back({s.origin[0], s.origin[1] + k * shift, s.origin[2] + k * s.sliceStep});
             s.strings["GantryDetectorTilt"] = "15";
         }},
        {"enhanced", "one Enhanced CT multi-frame file, unsigned 12-bit, explicit VR LE",
         [](SeriesSpec& s) { s.multiFrame = true; }},
        {"jpegls", "GE-like, JPEG-LS lossless (1.2.840.10008.1.2.4.80)", geIn(WriteSyntax::JpegLS)},
        {"jpeg-lossless", "GE-like, JPEG lossless SV1 (1.2.840.10008.1.2.4.70)",
         geIn(WriteSyntax::JpegLossless)},
        {"rle", "GE-like, RLE lossless (1.2.840.10008.1.2.5)", geIn(WriteSyntax::Rle)},
        {"j2k", "GE-like, JPEG 2000 lossless (1.2.840.10008.1.2.4.90)", geIn(WriteSyntax::Jpeg2000Lossless)},
    };
    return table;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
        for (const Kind& k : kinds())
            std::printf("%s\t%s\n", k.name, k.what);
        return 0;
    }
    if (argc != 4) {
        std::fprintf(stderr, "usage: ctview_bench_series KIND N DIR | --list\n");
        return 2;
    }
    const int n = std::atoi(argv[2]);
    for (const Kind& k : kinds()) {
        if (k.name != std::string(argv[1]))
            continue;
        try {
            SeriesSpec s = ctview::phantomSpec(512, 512, n);
            s.seriesUID = ctview::makeUid(std::string("bench series ") + k.name + " " + argv[2]);
            s.strings["SeriesDescription"] = k.what;
            k.apply(s);
            ctview::writeSeries(s, argv[3]);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ctview_bench_series: %s\n", e.what());
            return 1;
        }
        return 0;
    }
    std::fprintf(stderr, "ctview_bench_series: unknown kind %s (--list)\n", argv[1]);
    return 2;
}

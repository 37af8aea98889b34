// The loader: series discovery, geometry, and exact HU on series written by GDCM with known values.
#include "testutil.h"

#include "base/error.h"
#include "volume/slice.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include <algorithm>

#include <limits>

#include <fstream>
#include <functional>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

using namespace ctview;
using namespace ctview::test;

namespace {
// Every voxel of the volume equals stored * slope + intercept for the pattern, in stacking order.
void requireExactPattern(const Volume& v, double slope, double intercept) {
    const Geometry& g = v.geometry();
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const double expected = storedPattern(i, j, k) * slope + intercept;
                if (double(v.at(i, j, k)) != Approx(expected).margin(1e-3)) {
                    INFO("voxel " << i << "," << j << "," << k);
                    REQUIRE(double(v.at(i, j, k)) == Approx(expected).margin(1e-3));
                }
            }
}
} // namespace

TEST_CASE("axial series with reversed file names: exact HU, step from positions, LPS geometry") {
    TempDir dir;
    SeriesSpec spec = smallSeries();
    spec.fileName = reversedName;
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    const Geometry& g = s.volume.geometry();
    REQUIRE(g.dims == glm::ivec3(12, 10, 8));
    REQUIRE(s.volume.type() == ScalarType::Int16);
    CHECK(g.spacing.x == Approx(0.6));
    CHECK(g.spacing.y == Approx(0.8));
    CHECK(g.spacing.z == Approx(2.5)); // not SliceThickness (3.0)
    CHECK(s.plan.measuredStep == Approx(2.5));
    CHECK(g.origin.x == Approx(-10));
    CHECK(g.origin.y == Approx(20));
    CHECK(g.origin.z == Approx(-30));
    CHECK(g.direction[2].z == Approx(1));
    CHECK(s.warnings.empty());
    CHECK(s.decodedNatively); // explicit VR little endian: our pread path, not GDCM
    CHECK(s.minHU == Approx(-1224));
    requireExactPattern(s.volume, 1, -1024);
    CHECK(scan.summary() == "8 files: 8 slices of series 1");
}

TEST_CASE("each compressed and uncommon transfer syntax decodes to the same exact HU") {
    const std::pair<WriteSyntax, const char*> syntaxes[] = {
        {WriteSyntax::ImplicitLE, "implicit LE"},
        {WriteSyntax::ExplicitBE, "explicit BE"},
        {WriteSyntax::Deflated, "deflated"},
        {WriteSyntax::JpegLossless, "JPEG lossless"},
        {WriteSyntax::JpegLS, "JPEG-LS"},
        {WriteSyntax::Jpeg2000Lossless, "JPEG 2000"},
        {WriteSyntax::Rle, "RLE"},
    };
    // Lossy JPEG (extended, 12-bit) cannot be exact; it must still decode to values close to the originals.
    SECTION("JPEG extended (lossy, 12-bit)") {
        TempDir dir;
        SeriesSpec spec = smallSeries(16, 16, 3);
        spec.bitsStored = 12;
        spec.pixelRepresentation = 0;
        spec.stored = [](int i, int j, int k) { return 1000.0 + 10 * i + 5 * j + k; };
        spec.syntax = WriteSyntax::JpegExtended;
        writeSeries(spec, dir.path);
        ScanResult scan;
        DecodedStack s = loadFolder(dir.path, scan);
        REQUIRE(s.failed.empty());
        CHECK_FALSE(s.decodedNatively);
        for (int k = 0; k < 3; ++k)
            for (int i = 0; i < 16; ++i)
                CHECK(s.volume.at(i, 7, k) == Approx(1000 + 10 * i + 35 + k - 1024).margin(12));
    }
    for (const auto& [syntax, name] : syntaxes) {
        SECTION(name) {
            TempDir dir;
            SeriesSpec spec = smallSeries(9, 7, 4);
            spec.syntax = syntax;
            writeSeries(spec, dir.path);
            ScanResult scan;
            DecodedStack s = loadFolder(dir.path, scan);
            REQUIRE(s.failed.empty());
            // Implicit VR LE and explicit big endian are read natively; deflate and the compressed syntaxes
            // go through GDCM.
            CHECK(s.decodedNatively ==
                  (syntax == WriteSyntax::ImplicitLE || syntax == WriteSyntax::ExplicitBE));
            REQUIRE(s.volume.geometry().dims == glm::ivec3(9, 7, 4));
            requireExactPattern(s.volume, 1, -1024);
        }
    }
}

TEST_CASE("a non-integer RescaleSlope gives float32 with exact values") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 3);
    spec.slope = [](int) { return 0.5; };
    spec.intercept = [](int k) { return -100.25 + k; }; // per-slice rescale is honoured too
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.volume.type() == ScalarType::Float32);
    for (int k = 0; k < 3; ++k)
        CHECK(double(s.volume.at(2, 3, k)) == Approx(storedPattern(2, 3, k) * 0.5 - 100.25 + k));
}

TEST_CASE("unsigned 12-bit storage, values beyond int16 fall back to float32") {
    SECTION("BitsStored 12, unsigned, intercept -1024: int16") {
        TempDir dir;
        SeriesSpec spec = smallSeries(6, 5, 3);
        spec.bitsStored = 12;
        spec.pixelRepresentation = 0;
        spec.stored = [](int i, int j, int k) { return double(i * 500 + j + k); }; // up to 2506
        writeSeries(spec, dir.path);
        ScanResult scan;
        DecodedStack s = loadFolder(dir.path, scan);
        REQUIRE(s.volume.type() == ScalarType::Int16);
        CHECK(s.volume.at(5, 4, 2) == 5 * 500 + 4 + 2 - 1024);
    }
    SECTION("unsigned 16-bit with values above 32767 + 1024") {
        TempDir dir;
        SeriesSpec spec = smallSeries(6, 5, 3);
        spec.pixelRepresentation = 0;
        spec.stored = [](int i, int, int) { return i == 5 ? 60000.0 : 100.0; };
        writeSeries(spec, dir.path);
        ScanResult scan;
        DecodedStack s = loadFolder(dir.path, scan);
        REQUIRE(s.volume.type() == ScalarType::Float32);
        CHECK(s.volume.at(5, 0, 0) == 60000 - 1024);
        CHECK(s.volume.at(0, 0, 0) == 100 - 1024);
    }
}

TEST_CASE("MONOCHROME1 keeps HU and asks for an inverted display, padding becomes air") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 3);
    spec.photometric = "MONOCHROME1";
    spec.paddingValue = -2000;
    spec.stored = [](int i, int, int) { return i == 0 ? -2000.0 : 1000.0; };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    CHECK(s.monochrome1);
    CHECK(s.volume.at(1, 1, 1) == 1000 - 1024);
    CHECK(s.volume.at(0, 1, 1) == -1024); // PixelPaddingValue (0028,0120) -> -1024 HU, not -3024
}

// Issue 32.4: a GE head with 4 mm slices, then 7 mm ones, all contiguous: the window said "10 slices
// missing" and `info` only "uneven spacing". One sentence now says what happened, everywhere.
TEST_CASE(
    "uneven spacing is said as such, with how many displayed slices are interpolated, nothing missing") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 28);
    spec.positions.clear();
    for (int k = 0; k < 28; ++k)
        spec.positions.push_back({0, 0, k < 18 ? 4.0 * k : 68 + 7.0 * (k - 17)});
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.plan.resample);
    CHECK(s.plan.missing == 0);
    const int shown = s.volume.geometry().dims.z;
    const std::string want = "uneven spacing (4.0 and 7.0 mm): resampled to 4.0 mm; " +
                             std::to_string(s.interpolated.size()) + " of " + std::to_string(shown) +
                             " displayed slices are interpolated";
    CHECK(std::count(s.warnings.begin(), s.warnings.end(),
                     want + " (--no-resample keeps the acquired slices)") == 1);
    CHECK(s.interpolated.size() > 0);
    for (const std::string& w : s.warnings)
        CHECK(w.find("missing") == std::string::npos);
}

TEST_CASE("a missing slice is reported and the stack is resampled onto a regular grid") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 8);
    spec.stored = [](int, int, int k) { return double(k * 10); };
    spec.fileName = [](int k) { return "s" + std::to_string(k) + ".dcm"; };
    writeSeries(spec, dir.path);
    std::filesystem::remove(dir.path / "s4.dcm");
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    CHECK(s.plan.missing == 1);
    REQUIRE(s.plan.resample);
    REQUIRE(s.volume.geometry().dims.z == 8);
    CHECK(s.volume.geometry().spacing.z == Approx(2.5));
    CHECK(s.volume.at(2, 2, 3) == 30 - 1024);
    CHECK(s.volume.at(2, 2, 4) == 40 - 1024); // interpolated half way between slices 3 and 5
    CHECK(s.volume.at(2, 2, 5) == 50 - 1024);
    bool said = false;
    for (const auto& w : s.warnings)
        said = said || w.find("missing") != std::string::npos;
    CHECK(said);

    SECTION("--no-resample keeps the 7 acquired slices and says so") {
        LoadOptions o = fastOptions();
        o.resample = false;
        ScanResult scan2;
        DecodedStack raw = loadFolder(dir.path, scan2, o);
        CHECK(raw.volume.geometry().dims.z == 7);
        CHECK(raw.volume.geometry().spacing.z == Approx(17.5 / 6));
        bool approx = false;
        for (const auto& w : raw.warnings)
            approx = approx || w.find("approximate") != std::string::npos;
        CHECK(approx);
        // What the window's banner keeps saying while resampling is off (issue 32.4).
        CHECK(raw.resampleSummary ==
              "1 slice missing: kept as acquired (resampling off), so positions between its slices are "
              "approximate");
    }
}

TEST_CASE("duplicate positions keep the first slice by InstanceNumber and are reported") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 4);
    spec.positions = {{0, 0, 0}, {0, 0, 2}, {0, 0, 2}, {0, 0, 4}};
    spec.stored = [](int, int, int k) { return double(k); };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    CHECK(s.plan.duplicates == 1);
    REQUIRE(s.volume.geometry().dims.z == 3);
    CHECK(s.volume.at(0, 0, 1) == 1 - 1024); // InstanceNumber 2 kept, 3 dropped
    CHECK(s.volume.at(0, 0, 2) == 3 - 1024);
}

TEST_CASE("gantry tilt is detected from positions and resampled in patient space") {
    TempDir dir;
    SeriesSpec spec = smallSeries(20, 20, 6);
    // Each slice is shifted 1 mm in y for every 2 mm in z: a tilt of atan(0.5) = 26.57 degrees.
    for (int k = 0; k < 6; ++k)
        spec.positions.push_back({0, double(k), 2.0 * k});
    spec.pixelSpacing = {1, 1};
    spec.stored = [](int, int j, int k) { return double(j + k); }; // in patient space: y-dependent only ...
    spec.strings["GantryDetectorTilt"] = "26.57";
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    CHECK(s.plan.tiltDegrees == Approx(26.565).margin(0.01));
    REQUIRE(s.plan.resample);
    const Geometry& g = s.volume.geometry();
    CHECK(g.direction[2].z == Approx(1));
    CHECK(g.spacing.z == Approx(2));
    // Patient point y = 10 mm at slice k lies at row 10 - k of acquired slice k, whose stored value is 10:
    // after resampling, every slice reads 10 at y = 10 (row 10 of the regular grid).
    for (int k = 0; k < g.dims.z; ++k)
        CHECK(s.volume.at(5, 10, k) == Approx(10 - 1024));
}

// Issue 32.18: tilt correction kept the first slice's grid, so the last slices' shifted field of view fell
// partly outside it (48 mm of a GE head). The grid now grows to hold every acquired voxel, on the first
// slice's pixel lattice (its voxels stay exact).
TEST_CASE("a tilted stack's resampled grid holds every acquired voxel") {
    TempDir dir;
    const int cols = 20, rows = 20, slices = 6;
    SeriesSpec spec = smallSeries(cols, rows, slices);
    for (int k = 0; k < slices; ++k) // 1 mm further in y (and -0.5 mm in x) for every 2 mm in z
        spec.positions.push_back({-0.5 * k, double(k), 2.0 * k});
    spec.pixelSpacing = {1, 1};
    spec.stored = [](int, int, int) { return 1100.0; }; // 76 HU everywhere acquired; air (-1024) outside
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.plan.resample);
    const Geometry& g = s.volume.geometry();
    for (int k = 0; k < slices; ++k)
        for (int j : {0, rows - 1})
            for (int i : {0, cols - 1}) {
                // The acquired pixel's centre, in the grid's voxel coordinates: inside the grid.
                const glm::dvec3 lps(-0.5 * k + i, double(k) + j, 2.0 * k);
                const glm::dvec3 v = g.patientToVoxel(lps);
                INFO("slice " << k << " pixel (" << i << ", " << j << ") at voxel " << v.x << ", " << v.y
                              << ", " << v.z);
                CHECK(v.x >= -1e-6);
                CHECK(v.y >= -1e-6);
                CHECK(v.x <= g.dims.x - 1 + 1e-6);
                CHECK(v.y <= g.dims.y - 1 + 1e-6);
                CHECK(s.volume.at(int(std::lround(v.x)), int(std::lround(v.y)), int(std::lround(v.z))) ==
                      Approx(76));
            }
    // On the first slice's lattice: its pixel (0, 0) is a voxel centre, and the grid grew by whole voxels.
    const glm::dvec3 first = g.patientToVoxel({0, 0, 0});
    CHECK(first.x == Approx(std::round(first.x)).margin(1e-9));
    CHECK(first.y == Approx(std::round(first.y)).margin(1e-9));
    CHECK(g.dims.x == cols + 3); // -2.5 mm of x shift: 3 more columns
    CHECK(g.dims.y == rows + 5); // 5 mm of y shift: 5 more rows
}

TEST_CASE(
    "stored HU round half away from zero, as std::lround, for every float, the resampler stores the same") {
    // The floats next to every half, where int(f + 0.5f) rounds 0.49999997 up, and the int16 ends.
    std::vector<float> values = {0.0f,      -0.0f,     0.5f,      -0.5f,    1.5f,
                                 2.5f,      -2.5f,     32767.0f,  32767.4f, 40000.0f,
                                 -32768.0f, -32768.6f, -40000.0f, 1e-30f,   8388607.5f};
    for (float h = -1000.5f; h <= 1000.5f; h += 1.0f)
        for (float x : {std::nextafter(h, -1e9f), h, std::nextafter(h, 1e9f)})
            values.push_back(x);
    int wrong = 0;
    for (float v : values) {
        const long expected = std::clamp(std::lround(v), -32768L, 32767L);
        if (huToInt16(v) != expected) {
            INFO(v);
            ++wrong;
        }
    }
    CHECK(wrong == 0);
    CHECK(huToInt16(std::nextafter(0.5f, 0.0f)) == 0); // 0.49999997
    CHECK(huToInt16(std::numeric_limits<float>::quiet_NaN()) == -32768);
    Geometry g;
    g.dims = {1, 1, 1};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    v.set(0, 0, 0, std::nextafter(-0.5f, 0.0f));
    CHECK(v.at(0, 0, 0) == 0);
}

TEST_CASE("a tilted, unevenly spaced stack resamples a linear field exactly (row runs and edges alike)") {
    // HU = 2x + 3y in patient space (mm): bilinear within planes and linear between them reproduce it, so
    // every resampled voxel must equal it up to the stored values' rounding (0.5) and the output's (0.5).
    // A sample taken one pixel off (a wrong run offset, a swapped edge) is off by 2 or 3.
    TempDir dir;
    const int cols = 40, rows = 24, slices = 7;
    SeriesSpec spec = smallSeries(cols, rows, slices);
    spec.pixelSpacing = {1, 1};
    // Shifted in x and y from slice to slice: a tilt, and fractional pixel positions in both directions.
    const double shiftX = 0.29, shift = 0.37, z[] = {0, 2, 4, 6.5, 8.5, 10.5, 12.5}; // one uneven gap
    for (int k = 0; k < slices; ++k)
        spec.positions.push_back({k * shiftX, k * shift, z[k]});
    spec.intercept = [](int) { return 0.0; };
    spec.stored = [&](int i, int j, int k) {
        return std::round(2.0 * (i + k * shiftX) + 3.0 * (j + k * shift));
    };
    spec.strings["GantryDetectorTilt"] = "10.5";
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.plan.resample);
    const Geometry& g = s.volume.geometry();
    int checked = 0, off = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::dvec3 p = g.origin + g.direction[0] * (i * g.spacing.x) +
                                     g.direction[1] * (j * g.spacing.y) + g.direction[2] * (k * g.spacing.z);
                // Inside every acquired plane (shifted by up to 1.8 mm in x and 2.2 mm in y).
                if (p.x < 1.8 || p.x > cols - 1 || p.y < 2.5 || p.y > rows - 1)
                    continue;
                ++checked;
                if (std::abs(s.volume.at(i, j, k) - (2 * p.x + 3 * p.y)) > 1.01 && off++ < 3)
                    FAIL_CHECK("voxel (" << i << ", " << j << ", " << k << ") at (" << p.x << ", " << p.y
                                         << ") reads " << s.volume.at(i, j, k) << ", want "
                                         << 2 * p.x + 3 * p.y);
            }
    CHECK(off == 0);
    CHECK(checked > 2000);
}

TEST_CASE("coronal and sagittal acquisitions: geometry and radiological display") {
    TempDir dir;
    SeriesSpec spec = smallSeries(8, 6, 5);
    spec.orientation = {1, 0, 0, 0, 0, -1}; // coronal: rows run to the left, columns downwards (inferior)
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    const Geometry& g = s.volume.geometry();
    // normal = row x col = (1,0,0) x (0,0,-1) = (0,1,0): slices stacked towards posterior
    CHECK(g.direction[2].y == Approx(1));
    CHECK(g.origin.y == Approx(20));
    const SliceFrame f = sliceFrame(g, Axis::Coronal);
    CHECK(f.nAxis == 2);
    CHECK(f.count == 5);
    const SliceFrame a = sliceFrame(g, Axis::Axial);
    CHECK(a.nAxis == 1); // the column direction is the patient's z
    CHECK(a.count == 6);
    // Axial display of a coronal acquisition: top of the image is anterior (lowest k).
    const SliceImage img = extractSlice(s.volume, Axis::Axial, 0);
    CHECK(img.width == 8);
    CHECK(img.height == Approx(5 * 2.5 / 0.6).margin(1));
}

TEST_CASE("two series in one folder, junk and a truncated file: the right default and a summary") {
    TempDir dir;
    SeriesSpec a = smallSeries(6, 5, 5);
    a.seriesNumber = 3;
    a.seriesUID = makeUid("A");
    writeSeries(a, dir.path / "a");
    SeriesSpec b = smallSeries(6, 5, 3);
    b.seriesNumber = 4;
    b.seriesUID = makeUid("B");
    b.fileName = [](int k) { return "b" + std::to_string(k) + ".dcm"; };
    writeSeries(b, dir.path / "a"); // same folder as a: never merged
    std::ofstream(dir.path / "notes.txt") << "not a dicom file\n";
    std::ofstream(dir.path / "empty.dcm");
    // Truncate one of b's slices: header intact, the end of the pixel data gone.
    const auto whole = std::filesystem::file_size(dir.path / "a" / "b2.dcm");
    std::filesystem::resize_file(dir.path / "a" / "b2.dcm", whole - 30);
    ScanResult scan = scanInput(dir.path, fastOptions());
    REQUIRE(scan.series.size() == 2);
    CHECK(scan.series[0].seriesNumber == 3);
    CHECK(scan.series[0].planes.size() == 5);
    CHECK(scan.series[1].planes.size() == 3);
    CHECK(scan.defaultSeries == 1);
    CHECK(scan.summary() == "10 files: 5 slices of series 3, 3 of series 4, 2 skipped: 2 not DICOM");
    DecodedStack s = loadSeries(scan, scan.pick("2"), fastOptions());
    REQUIRE(s.failed.size() == 1); // the truncated file, by name
    CHECK(s.failed[0].path.filename() == "b2.dcm");
    REQUIRE(s.volume.geometry().dims.z == 3); // its slice stays in place, empty (lowest HU), with a warning
    CHECK(s.volume.at(0, 0, 2) == s.minHU);
    CHECK_THROWS_AS(scan.pick("7"), UsageError);
    CHECK(scan.pick(makeUid("B")).seriesNumber == 4);
}

// Makes the Pixel Data element (7FE0,0010) of a native file claim `length` bytes, whatever the file holds.
static void claimPixelLength(const std::filesystem::path& file, std::uint32_t length) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const std::size_t at = bytes.rfind(std::string("\xe0\x7f\x10\x00", 4));
    REQUIRE(at != std::string::npos);
    // Explicit VR: tag, VR "OW"/"OB", two reserved bytes, a 32-bit length; implicit VR: tag, 32-bit length.
    const bool explicitVr = bytes.compare(at + 4, 2, "OW") == 0 || bytes.compare(at + 4, 2, "OB") == 0;
    f.seekp(std::streamoff(at + (explicitVr ? 8 : 4)));
    const char le[4] = {char(length & 0xff), char(length >> 8 & 0xff), char(length >> 16 & 0xff),
                        char(length >> 24)};
    f.write(le, 4);
}

TEST_CASE("a file whose Pixel Data claims 2 GiB: its header is scanned, its pixels are not read") {
    // The scan reads headers only. It used to read the Pixel Data value too: for an Enhanced CT that is the
    // whole volume a second time, and a damaged length made the scan worker allocate what the header claims,
    // fail on its memory budget, and drop the file as unreadable.
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 4);
    writeSeries(spec, dir.path);
    claimPixelLength(dir.path / "IM0003.dcm", 0x7ffffff0u);
    ScanResult scan = scanInput(dir.path, fastOptions());
    REQUIRE(scan.series.size() == 1);
    CHECK(scan.series[0].planes.size() == 4); // listed with its series, from its header
    CHECK(scan.skipped.empty());
    DecodedStack s = loadSeries(scan, scan.pick(""), fastOptions());
    REQUIRE(s.failed.size() == 1); // its pixels are what is missing: reported when decoding
    CHECK(s.failed[0].path.filename() == "IM0003.dcm");
    REQUIRE(s.volume.geometry().dims.z == 4);
    for (int k : {0, 1, 3})
        CHECK(s.volume.at(2, 3, k) == storedPattern(2, 3, k) - 1024);
}

TEST_CASE("a single file opens its series, a folder without images is a data error") {
    TempDir dir;
    writeSeries(smallSeries(6, 5, 4), dir.path);
    ScanResult scan = scanInput(dir.path / "IM0002.dcm", fastOptions());
    REQUIRE(scan.series.size() == 1);
    CHECK(scan.series[0].planes.size() == 4);
    TempDir empty;
    std::ofstream(empty.path / "readme.txt") << "hello";
    ScanResult none = scanInput(empty.path, fastOptions());
    CHECK_THROWS_AS(none.pick(""), DataError);
    CHECK_THROWS_AS(scanInput(empty.path / "nope", fastOptions()), DataError);
}

TEST_CASE("a header that claims a huge image is refused before allocation") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 2);
    writeSeries(spec, dir.path);
    // Patch Rows (0028,0010) to 65535 in place: explicit VR LE "28 00 10 00 'U' 'S' 02 00 <value>".
    for (const auto& f : std::filesystem::directory_iterator(dir.path)) {
        std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(io)), {});
        const std::string needle("\x28\x00\x10\x00US\x02\x00", 8);
        const auto at = bytes.find(needle);
        REQUIRE(at != std::string::npos);
        io.seekp(std::streamoff(at + 8));
        io.write("\xff\xff", 2);
    }
    ScanResult scan = scanInput(dir.path, fastOptions());
    REQUIRE(scan.series.size() == 1);
    try {
        loadSeries(scan, scan.pick(""), fastOptions());
        FAIL("expected a DataError");
    } catch (const DataError& e) {
        CHECK(std::string(e.what()).find("declares") != std::string::npos);
    }
}

TEST_CASE("shuffled file names and a sagittal acquisition") {
    TempDir dir;
    SeriesSpec spec = smallSeries(8, 6, 7);
    spec.orientation = {0, 1, 0,
                        0, 0, -1}; // sagittal: rows run posterior, columns inferior; normal = -x (right)
    const int names[7] = {4, 0, 6, 2, 5, 1, 3};
    spec.fileName = [&](int k) { return "x" + std::to_string(names[k]) + ".dcm"; };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    const Geometry& g = s.volume.geometry();
    CHECK(g.direction[2].x == Approx(-1)); // (0,1,0) x (0,0,-1)
    CHECK(g.origin.x == Approx(-10));
    requireExactPattern(s.volume, 1, -1024);
    const SliceFrame f = sliceFrame(g, Axis::Sagittal);
    CHECK(f.nAxis == 2);
    CHECK(f.count == 7);
    CHECK(f.hAxis == 0); // anterior on the left: the row direction (+y, posterior) runs to the right
    CHECK_FALSE(f.hFlip);
    CHECK_FALSE(f.vFlip); // the column direction is already inferior (down)
}

TEST_CASE("a series larger than the memory it may use is refused before allocation, with the sizes") {
    TempDir dir;
    writeSeries(smallSeries(12, 10, 8), dir.path);
    LoadOptions o = fastOptions();
    o.memoryLimitBytes = 1000; // the volume needs 12*10*8*2 = 1920 bytes
    ScanResult scan = scanInput(dir.path, o);
    try {
        loadSeries(scan, scan.pick(""), o);
        FAIL("expected a DataError");
    } catch (const DataError& e) {
        CHECK_THAT(e.what(), Catch::Contains("needs 1.9 KiB of memory (12x10x8 voxels)"));
    }
}

TEST_CASE("mixed image sizes under one SeriesInstanceUID are split, never merged, and reported") {
    TempDir dir;
    SeriesSpec big = smallSeries(12, 10, 5);
    big.seriesUID = makeUid("mixed");
    writeSeries(big, dir.path);
    SeriesSpec scout = smallSeries(6, 5, 2);
    scout.seriesUID = big.seriesUID;
    scout.fileName = [](int k) { return "scout" + std::to_string(k) + ".dcm"; };
    writeSeries(scout, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(scan.series.size() == 2);
    CHECK(s.volume.geometry().dims == glm::ivec3(12, 10, 5)); // the default: more slices
    bool told = false;
    for (const auto& w : s.warnings)
        told = told || w.find("also holds 2 image(s) of 6x5, kept apart as series #") != std::string::npos;
    CHECK(told);
}

TEST_CASE("streaming to a file (convert): the planes land where the loaded volume holds them, or it loads") {
    // LoadOptions::streamFd: native planes on the acquired grid go to the file as they are decoded; the file
    // must then hold, from the offset on, exactly the bytes of the volume an ordinary load gives.
    struct Case {
        const char* name;
        std::function<void(SeriesSpec&)> make;
        bool streams;
        ScalarType type;
        std::function<void(const std::filesystem::path&)> damage = {};
    };
    const Case cases[] = {
        {"int16", [](SeriesSpec&) {}, true, ScalarType::Int16},
        {"slope 0.5: float32", [](SeriesSpec& s) { s.slope = [](int) { return 0.5; }; }, true,
         ScalarType::Float32},
        {"values beyond int16: decoded again as float32, over the int16 planes",
         [](SeriesSpec& s) { s.intercept = [](int) { return 32900.0; }; }, true, ScalarType::Float32},
        {"big endian", [](SeriesSpec& s) { s.syntax = WriteSyntax::ExplicitBE; }, true, ScalarType::Int16},
        {"a file cut short after the scan: its plane filled with the lowest HU", [](SeriesSpec&) {}, true,
         ScalarType::Int16,
         [](const std::filesystem::path& d) {
             std::filesystem::resize_file(d / "IM0003.dcm",
                                          std::filesystem::file_size(d / "IM0003.dcm") - 30);
         }},
        {"RLE (decoded in the workers): held", [](SeriesSpec& s) { s.syntax = WriteSyntax::Rle; }, false,
         ScalarType::Int16},
        {"gantry tilt (resampled): held",
         [](SeriesSpec& s) {
             for (int k = 0; k < s.slices; ++k)
                 s.positions.push_back({0, double(k), 2.0 * k});
             s.strings["GantryDetectorTilt"] = "26.57";
         },
         false, ScalarType::Int16},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            TempDir dir, out;
            SeriesSpec spec = smallSeries(12, 10, 6);
            c.make(spec);
            writeSeries(spec, dir.path);
            const ScanResult scan = scanInput(dir.path, fastOptions());
            if (c.damage)
                c.damage(dir.path);
            const DecodedStack held = loadSeries(scan, scan.pick(""), fastOptions());
            REQUIRE(held.volume.type() == c.type);
            REQUIRE(held.failed.size() == (c.damage ? 1u : 0u));
            const std::filesystem::path file = out.path / "v.raw";
            const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
            REQUIRE(fd >= 0);
            // Bytes that must be overwritten where planes go (and left alone before the offset).
            const std::string junk(4096 + held.volume.bytes(), '\x5a');
            REQUIRE(::pwrite(fd, junk.data(), junk.size(), 0) == ssize_t(junk.size()));
            LoadOptions o = fastOptions();
            o.streamFd = fd;
            o.streamOffset = 4096;
            const DecodedStack streamed = loadSeries(scan, scan.pick(""), o);
            ::close(fd);
            CHECK(streamed.failed.size() == held.failed.size());
            CHECK(streamed.empty == held.empty);
            CHECK(streamed.minHU == held.minHU);
            CHECK(streamed.maxHU == held.maxHU);
            REQUIRE(streamed.streamed.has_value() == c.streams);
            if (!c.streams) {
                REQUIRE(streamed.volume.bytes() == held.volume.bytes());
                CHECK(std::memcmp(streamed.volume.data(), held.volume.data(), held.volume.bytes()) == 0);
                continue;
            }
            CHECK(streamed.volume.empty());
            CHECK(streamed.streamed->type == c.type);
            CHECK(streamed.streamed->geometry.dims == held.volume.geometry().dims);
            CHECK(streamed.streamed->geometry.origin == held.volume.geometry().origin);
            CHECK(streamed.streamed->geometry.spacing == held.volume.geometry().spacing);
            std::ifstream in(file, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            REQUIRE(bytes.size() == 4096 + held.volume.bytes());
            CHECK(bytes.compare(0, 4096, junk, 0, 4096) == 0);
            CHECK(std::memcmp(bytes.data() + 4096, held.volume.data(), held.volume.bytes()) == 0);
        }
    }
}

TEST_CASE("an Enhanced CT of 40 frames is read on every core in runs of frames: the same volume as GDCM's") {
    TempDir dir;
    SeriesSpec spec = smallSeries(12, 10, 40);
    spec.multiFrame = true;
    writeSeries(spec, dir.path);
    ScanResult scan;
    LoadOptions o = fastOptions();
    std::mutex m;
    std::vector<int> shown;
    o.slicesReady = [&](const Volume&, const std::vector<int>& slices) {
        std::lock_guard lock(m);
        shown.insert(shown.end(), slices.begin(), slices.end());
    };
    const DecodedStack fast = loadFolder(dir.path, scan, o);
    REQUIRE(fast.decodedNatively);
    REQUIRE(fast.failed.empty());
    REQUIRE(fast.volume.geometry().dims.z == 40);
    // Every plane said ready once, the middle one's run first.
    REQUIRE(shown.size() == 40);
    CHECK(std::find(shown.begin(), shown.begin() + 16, 20) != shown.begin() + 16);
    std::sort(shown.begin(), shown.end());
    for (int k = 0; k < 40; ++k)
        CHECK(shown[std::size_t(k)] == k);
    LoadOptions viaGdcm = fastOptions();
    viaGdcm.nativeFastPath = false;
    ScanResult gdcmScan;
    const DecodedStack ref = loadFolder(dir.path, gdcmScan, viaGdcm);
    REQUIRE(ref.volume.bytes() == fast.volume.bytes());
    CHECK(std::memcmp(ref.volume.data(), fast.volume.data(), fast.volume.bytes()) == 0);
    CHECK(fast.volume.at(5, 6, 33) == storedPattern(5, 6, 33) - 1024);
}

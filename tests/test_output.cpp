// Slices, export and volume files: exact pixels, geometry round trips, no overwriting.
#include "testutil.h"

#include "base/error.h"
#include "media/export.h"
#include "nrrd_nifti/gzip_write.h"
#include "nrrd_nifti/volume_io.h"
#include "volume/colormap.h"
#include "volume/slice.h"
#include "volume/window.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <tiffio.h>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("window presets and the DICOM linear VOI function") {
    CHECK(parseWindow("lung", std::nullopt)->width == 1500);
    CHECK(parseWindow("lung", std::nullopt)->center == -600);
    CHECK(parseWindow("BONE", std::nullopt)->center == 400);
    CHECK(parseWindow("400,50", std::nullopt)->width == 400);
    CHECK(parseWindow("350/-20", std::nullopt)->center == -20);
    CHECK_FALSE(parseWindow("wide", std::nullopt));
    CHECK_FALSE(parseWindow("0,50", std::nullopt));
    CHECK_FALSE(parseWindow("file", std::nullopt));
    const WindowLevel wl{400, 40};
    CHECK(wl.apply(-160.5) == 0.0);
    CHECK(wl.apply(240) == 1.0);
    CHECK(wl.apply(39.5) == Approx(0.5));
}

TEST_CASE("colormaps: grayscale is the identity, invert reverses, unknown names are usage errors") {
    const auto g = colormapTable("grayscale");
    for (int i = 0; i < 256; ++i)
        REQUIRE(g[std::size_t(i)][0] == i);
    const auto inv = colormapTable("viridis", true), fwd = colormapTable("viridis");
    CHECK(inv[0] == fwd[255]);
    CHECK(fwd[0] == (std::array<std::uint8_t, 3>{0x44, 0x01, 0x54}));
    CHECK(fwd[255] == (std::array<std::uint8_t, 3>{0xfd, 0xe7, 0x25}));
    for (const auto& n : colormapNames())
        CHECK_NOTHROW(colormapTable(n));
    CHECK_THROWS_AS(colormapTable("rainbow"), UsageError);
}

TEST_CASE("axial export writes the exact windowed voxels, never overwrites, and coronal keeps the aspect") {
    TempDir dir, out;
    SeriesSpec spec = smallSeries(12, 10, 8);
    spec.pixelSpacing = {0.6, 0.6}; // square pixels: the axial slice is the voxels themselves
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    const WindowLevel wl{1000, -700};
    const RgbImage img = renderSlice(extractSlice(s.volume, Axis::Axial, 3), wl, colormapTable("grayscale"));
    const auto p1 = writeImage(img, out.path / "a.png", ImageFormat::Png, false);
    const auto p2 = writeImage(img, out.path / "a.png", ImageFormat::Png, false);
    CHECK(p1.filename() == "a.png");
    CHECK(p2.filename() == "a-1.png"); // never clobbers
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(p1.c_str(), &w, &h, &n, 1);
    REQUIRE(px);
    REQUIRE(w == 12);
    REQUIRE(h == 10);
    for (int j = 0; j < h; ++j)
        for (int i = 0; i < w; ++i) {
            const double hu = storedPattern(i, j, 3) - 1024;
            REQUIRE(int(px[j * w + i]) == int(std::lround(wl.apply(hu) * 255)));
        }
    stbi_image_free(px);
    // Coronal: 12 columns of 0.6 mm across, 8 slices of 2.5 mm down -> square 0.6 mm pixels.
    const SliceImage cor = extractSlice(s.volume, Axis::Coronal, 4);
    CHECK(cor.width == 12);
    CHECK(cor.height == int(std::lround(8 * 2.5 / 0.6)));
    CHECK(cor.pixelSize == Approx(0.6));
    CHECK_THROWS_AS(extractSlice(s.volume, Axis::Axial, 8), UsageError);
}

TEST_CASE("NRRD and NIfTI round trips keep every voxel and the geometry (LPS / RAS)") {
    TempDir dir, out;
    SeriesSpec spec = smallSeries(7, 6, 5);
    spec.orientation = {0.8660254, 0.5, 0, -0.5, 0.8660254, 0}; // rotated 30 degrees about z
    spec.slope = [](int) { return 0.25; };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.volume.type() == ScalarType::Float32);
    for (const char* name : {"v.nrrd", "v.nii", "v.nii.gz"}) {
        SECTION(name) {
            const auto written = writeVolume(s.volume, out.path / name, false);
            const Volume back =
                std::string(name).find("nrrd") != std::string::npos ? readNrrd(written) : readNifti(written);
            const Geometry &a = s.volume.geometry(), &b = back.geometry();
            REQUIRE(b.dims == a.dims);
            for (int c = 0; c < 3; ++c) {
                CHECK(b.spacing[c] == Approx(a.spacing[c]).margin(1e-5));
                CHECK(b.origin[c] == Approx(a.origin[c]).margin(1e-4));
                for (int r = 0; r < 3; ++r)
                    CHECK(b.direction[c][r] == Approx(a.direction[c][r]).margin(1e-5));
            }
            REQUIRE(std::memcmp(back.data(), s.volume.data(), s.volume.bytes()) == 0);
            // A second write does not replace the first.
            CHECK(writeVolume(s.volume, out.path / name, false) != written);
        }
    }
    CHECK_THROWS_AS(volumeFormatFor("v.mha"), UsageError);
}

TEST_CASE("gzip on every core: one stream that gzip reads back byte for byte, whatever the pieces") {
    TempDir dir;
    // 3.3 MiB over pieces that end inside deflate's blocks: a header's few bytes, a compressible run, noise.
    std::vector<std::uint8_t> a(352), b(2'500'000), c(960'001);
    for (std::size_t i = 0; i < a.size(); ++i)
        a[i] = std::uint8_t(i);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = std::uint8_t((i / 700) % 13);
    std::uint32_t x = 12345;
    for (auto& v : c)
        v = std::uint8_t((x = x * 1664525u + 1013904223u) >> 24);
    std::vector<std::uint8_t> all = a;
    all.insert(all.end(), b.begin(), b.end());
    all.insert(all.end(), c.begin(), c.end());
    auto gzipOf = [&](const std::vector<std::span<const std::uint8_t>>& pieces, const char* name) {
        auto file = dir.path / name; // not const: returned by move
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        REQUIRE(fd >= 0);
        const std::uint64_t bytes = writeGzip(fd, 0, pieces, 6);
        ::close(fd);
        CHECK(bytes == std::filesystem::file_size(file));
        return file;
    };
    const auto three = gzipOf({a, b, c}, "three.gz");
    const auto one = gzipOf({all}, "one.gz");
    // gzip(1) tests the CRC and length and reads it back: the bytes given, in order.
    REQUIRE(shell("gzip -t " + three.string()).code == 0);
    const Run back = shell("gzip -dc " + three.string());
    REQUIRE(back.code == 0);
    REQUIRE(back.out.size() == all.size());
    CHECK(std::memcmp(back.out.data(), all.data(), all.size()) == 0);
    // The same bytes however the input is cut (and so on any number of cores); it compresses.
    CHECK(readFile(three) == readFile(one));
    CHECK(std::filesystem::file_size(three) < all.size() / 2);
    // Nothing to compress is a valid, empty stream.
    const auto empty = gzipOf({}, "empty.gz");
    CHECK(shell("gzip -dc " + empty.string() + " | wc -c").out == "0\n");
}

TEST_CASE("nothing is written next to the input, and a read-only output folder gives a clear error") {
    TempDir dir, out;
    writeSeries(smallSeries(6, 5, 3), dir.path);
    std::size_t before = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path))
        before += (void(e), 1);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    std::size_t after = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path))
        after += (void(e), 1);
    CHECK(after == before);
    if (::geteuid() != 0) { // root ignores permissions
        std::filesystem::permissions(out.path,
                                     std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        CHECK_THROWS_AS(writeVolume(s.volume, out.path / "v.nrrd", false), DataError);
    }
    // No temporary file is left behind by a failed encode either.
    std::size_t left = 0;
    for (auto& e : std::filesystem::directory_iterator(out.path))
        left += (void(e), 1);
    CHECK(left == 0);
}

TEST_CASE("export --format tiff: the slice's HU as signed 16-bit on its own grid, its pixel size in mm") {
    TempDir dir, out;
    SeriesSpec spec = smallSeries(12, 10, 8);
    spec.pixelSpacing = {0.6, 0.7};
    writeSeries(spec, dir.path);
    const Run r = run("export " + q(dir.path) + " --format tiff,png --slice 4 -o " + q(out.path));
    REQUIRE(r.code == 0);
    ScanResult scan;
    const DecodedStack s = loadFolder(dir.path, scan);
    const SliceFrame frame = sliceFrame(s.volume.geometry(), Axis::Axial);
    const auto file = out.path / sliceFileName(spec.seriesNumber, Axis::Axial, 4, ImageFormat::Tiff);
    CHECK_THAT(r.out, Catch::Contains(file.string()) && Catch::Contains(".png"));
    TIFF* t = TIFFOpen(file.c_str(), "r");
    REQUIRE(t);
    std::uint32_t w = 0, h = 0;
    std::uint16_t bits = 0, format = 0, unit = 0;
    float xres = 0, yres = 0;
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetField(t, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetField(t, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetField(t, TIFFTAG_RESOLUTIONUNIT, &unit);
    TIFFGetField(t, TIFFTAG_XRESOLUTION, &xres);
    TIFFGetField(t, TIFFTAG_YRESOLUTION, &yres);
    CHECK(w == 12);
    CHECK(h == 10); // the acquired grid, not resampled to square pixels
    CHECK(bits == 16);
    CHECK(format == SAMPLEFORMAT_INT);
    CHECK(unit == RESUNIT_CENTIMETER);
    // Pixels per cm. PixelSpacing (0028,0030) is row spacing \ column spacing: 0.6 mm between rows (down),
    // 0.7 mm between columns (across).
    CHECK(xres == Approx(10 / 0.7));
    CHECK(yres == Approx(10 / 0.6));
    std::vector<std::int16_t> row(w);
    const int k = sliceIndex(frame, 4);
    for (std::uint32_t y = 0; y < h; ++y) {
        REQUIRE(TIFFReadScanline(t, row.data(), y, 0) == 1);
        for (std::uint32_t x = 0; x < w; ++x)
            REQUIRE(row[x] == std::int16_t(s.volume.at(int(x), int(y), k)));
    }
    TIFFClose(t);
    // An average slab is not whole numbers: float, the slab's own values.
    const Run avg =
        run("export " + q(dir.path) +
            " --format tiff --axis coronal --slab 5 --slab-mode average --slice 3 -o " + q(out.path));
    REQUIRE(avg.code == 0);
    const std::string avgFile = avg.out.substr(0, avg.out.find('\n'));
    TIFF* f = TIFFOpen(avgFile.c_str(), "r");
    REQUIRE(f);
    TIFFGetField(f, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetField(f, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetField(f, TIFFTAG_IMAGELENGTH, &h);
    CHECK(bits == 32);
    CHECK(format == SAMPLEFORMAT_IEEEFP);
    CHECK(h == 8); // the 8 slices, unresampled
    TIFFClose(f);
    CHECK(run("export " + q(dir.path) + " --format bmp -o " + q(out.path)).code == 2);
}

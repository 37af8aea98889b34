// Every native (uncompressed) pixel encoding a CT series comes in, read by the fast path (our own pread and
// conversion, on threads), and RLE Lossless by our own decoder (in the workers), and each by GDCM: the two
// must agree voxel for voxel, and both must equal the value the DICOM rules give (PS3.3 C.7.6.3.1: mask to
// BitsStored below HighBit, sign-extend when PixelRepresentation is 1, PixelPaddingValue (0028,0120) ..
// PixelPaddingRangeLimit (0028,0121) become air, then HU = stored * RescaleSlope (0028,1053) +
// RescaleIntercept (0028,1052)).
#include "base/error.h"
#include "dicom/dicom_write.h"
#include "dicom/loader.h"
#include "testutil.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

using namespace ctview;
using namespace ctview::test;

namespace {

struct Encoding {
    const char* name;
    int bitsAllocated = 16, bitsStored = 16, pixelRepresentation = 1;
    WriteSyntax syntax = WriteSyntax::ExplicitLE;
    std::optional<int> padding, paddingLimit;
    double slope = 1, intercept = -1024;
    bool junkAboveBitsStored = false; // raw words carry set bits above BitsStored (must be masked off)
    bool multiFrame = false;
    bool gdcmAgrees = true; // false where GDCM itself decodes wrongly (then only the DICOM rule is checked)
    bool bigEndianLongs = false; // 32-bit big endian written as whole longs (pydicom), not as OW words
};

// Stored words that exercise the encoding: the whole stored range in a few slices, negatives when signed,
// the padding value and the range limit's inside.
double rawWord(const Encoding& e, int i, int j, int k) {
    const double span = std::ldexp(1.0, std::min(e.bitsStored, 20));
    const double lo = e.pixelRepresentation ? -span / 2 : 0;
    // A spread of values over the range, deterministic, with both ends present.
    const std::uint64_t h =
        std::uint64_t(i) * 2654435761u + std::uint64_t(j) * 40503u + std::uint64_t(k) * 977u;
    double v = lo + double(h % std::uint64_t(span));
    if (i == 0 && j == 0)
        v = lo;
    if (i == 1 && j == 0)
        v = lo + span - 1;
    if (e.padding && j == 1)
        v = *e.padding;
    if (e.paddingLimit && j == 2)
        v = (*e.padding + *e.paddingLimit) / 2; // inside the padding range
    if (e.junkAboveBitsStored && e.bitsStored < e.bitsAllocated) {
        // Set bits above BitsStored (overlay bits, junk): the writer stores the word as given.
        const double wordSpan = std::ldexp(1.0, e.bitsAllocated);
        double u = v < 0 ? v + span : v; // the BitsStored-bit pattern
        u += span * double((i + k) % 3); // plus junk above it
        v = std::fmod(u, wordSpan);
    }
    return v;
}

// What the DICOM rule makes of a raw word.
double expectedHU(const Encoding& e, double raw) {
    std::uint64_t word = std::uint64_t(std::int64_t(raw)) &
                         ((e.bitsAllocated == 32 ? 0xffffffffull : (1ull << e.bitsAllocated) - 1));
    std::uint64_t bits = word & ((1ull << e.bitsStored) - 1);
    std::int64_t v = std::int64_t(bits);
    if (e.pixelRepresentation && (bits >> (e.bitsStored - 1)) & 1)
        v -= std::int64_t(1) << e.bitsStored;
    if (e.padding) {
        const double a = *e.padding, b = e.paddingLimit ? *e.paddingLimit : a;
        if (double(v) >= std::min(a, b) && double(v) <= std::max(a, b))
            return -1024; // CT: padding is air
    }
    return double(v) * e.slope + e.intercept;
}

SeriesSpec specFor(const Encoding& e) {
    SeriesSpec s = smallSeries(24, 6, 4);
    s.bitsAllocated = e.bitsAllocated;
    s.bitsStored = e.bitsStored;
    s.pixelRepresentation = e.pixelRepresentation;
    s.syntax = e.syntax;
    s.paddingValue = e.padding;
    s.paddingRangeLimit = e.paddingLimit;
    s.slope = [slope = e.slope](int) { return slope; };
    s.intercept = [intercept = e.intercept](int) { return intercept; };
    s.clampToBitsStored = !e.junkAboveBitsStored;
    s.multiFrame = e.multiFrame;
    s.bigEndianLongs = e.bigEndianLongs;
    s.stored = [e](int i, int j, int k) { return rawWord(e, i, j, k); };
    return s;
}

} // namespace

TEST_CASE("every native encoding and RLE: our decoders equal GDCM and the DICOM rule, voxel for voxel") {
    const Encoding encodings[] = {
        {"unsigned 12 of 16 bits (make-phantom)", 16, 12, 0},
        {"unsigned 12 of 16 bits, junk above BitsStored",
         16,
         12,
         0,
         WriteSyntax::ExplicitLE,
         {},
         {},
         1,
         -1024,
         true},
        {"signed 12 of 16 bits, junk above BitsStored",
         16,
         12,
         1,
         WriteSyntax::ExplicitLE,
         {},
         {},
         1,
         -1024,
         true},
        // The whole signed 16-bit range with intercept 0 still fits int16: the integer path, at its edges.
        {"signed 16 bits, padding -2000 (GE)", 16, 16, 1, WriteSyntax::ExplicitLE, -2000, {}, 1, 0},
        {"signed 16 bits, padding -2000, intercept -1024 (beyond int16: float32)", 16, 16, 1,
         WriteSyntax::ExplicitLE, -2000},
        {"signed 16 bits, padding range -2048..-1100", 16, 16, 1, WriteSyntax::ExplicitLE, -2048, -1100, 1,
         0},
        {"unsigned 12 bits, padding 0 (Siemens)", 16, 12, 0, WriteSyntax::ExplicitLE, 0},
        {"signed 16 bits, implicit VR", 16, 16, 1, WriteSyntax::ImplicitLE, -2000, {}, 1, 0},
        {"signed 16 bits, big endian, padding", 16, 16, 1, WriteSyntax::ExplicitBE, -2000, {}, 1, 0},
        {"unsigned 12 bits, big endian, junk", 16, 12, 0, WriteSyntax::ExplicitBE, {}, {}, 1, -1024, true},
        {"slope 0.5 (float32)", 16, 16, 0, WriteSyntax::ExplicitLE, {}, {}, 0.5, -1024.25},
        {"slope 0.5, big endian, padding", 16, 16, 1, WriteSyntax::ExplicitBE, -2000, {}, 0.5, -1000},
        {"slope 20000 (integral, beyond int16: float32)",
         16,
         8,
         0,
         WriteSyntax::ExplicitLE,
         {},
         {},
         20000,
         0},
        {"unsigned 8 bits", 8, 8, 0, WriteSyntax::ExplicitLE, {}, {}, 1, -500},
        {"signed 32 bits", 32, 32, 1},
        {"signed 32 bits, big endian", 32, 32, 1, WriteSyntax::ExplicitBE},
        // As pydicom writes them: GDCM reads the words in the wrong order (values off by a factor of ~65536,
        // or by 2^32 for small negatives); the fast path recognises the layout and says so.
        {"signed 32 bits, big endian longs (pydicom)",
         32,
         32,
         1,
         WriteSyntax::ExplicitBE,
         {},
         {},
         1,
         -1024,
         false,
         false,
         false,
         true},
        {"unsigned 32 bits, big endian longs, small values",
         32,
         16,
         0,
         WriteSyntax::ExplicitBE,
         {},
         {},
         1,
         -1024,
         false,
         false,
         false,
         true},
        {"unsigned 16 of 32 bits", 32, 16, 0, WriteSyntax::ExplicitLE, {}, {}, 1, -1024, false, false, false},
        // 32-bit cells whose HU fit int16 (the 64-bit integer path into int16), at the int16 range's edges.
        // GDCM aborts on 32-bit cells with BitsStored below 32: only the DICOM rule is checked for those.
        {"signed 16 of 32 bits, padding -2000 (int16 volume)",
         32,
         16,
         1,
         WriteSyntax::ExplicitLE,
         -2000,
         {},
         1,
         0,
         false,
         false,
         false},
        {"signed 16 of 32 bits, big endian, padding -2000 (int16 volume)",
         32,
         16,
         1,
         WriteSyntax::ExplicitBE,
         -2000,
         {},
         1,
         0,
         false,
         false,
         false},
        {"signed 16 of 32 bits, big endian longs (int16 volume)",
         32,
         16,
         1,
         WriteSyntax::ExplicitBE,
         {},
         {},
         1,
         0,
         false,
         false,
         false,
         true},
        {"signed 12 of 32 bits, junk above BitsStored, padding range (int16 volume)", 32, 12, 1,
         WriteSyntax::ExplicitLE, -2048, -1100, 1, -1024, true, false, false},
        {"unsigned 32 bits, implicit VR", 32, 32, 0, WriteSyntax::ImplicitLE, {}, {}, 1, 0},
        {"signed 32 bits, slope 0.001", 32, 32, 1, WriteSyntax::ExplicitLE, {}, {}, 0.001, 0},
        // RLE Lossless: ctview's own decoder in the workers, against GDCM's.
        {"RLE, signed 16 bits, padding -2000", 16, 16, 1, WriteSyntax::Rle, -2000, {}, 1, 0},
        {"RLE, unsigned 12 of 16 bits, junk above BitsStored",
         16,
         12,
         0,
         WriteSyntax::Rle,
         {},
         {},
         1,
         -1024,
         true},
        {"RLE, unsigned 8 bits", 8, 8, 0, WriteSyntax::Rle, {}, {}, 1, -500},
        {"RLE, signed 32 bits", 32, 32, 1, WriteSyntax::Rle},
        {"RLE, slope 0.5", 16, 16, 0, WriteSyntax::Rle, {}, {}, 0.5, -1024.25},
        {"Enhanced CT multi-frame", 16, 12, 0, WriteSyntax::ExplicitLE, {}, {}, 1, -1024, false, true},
        {"Enhanced CT multi-frame, big endian",
         16,
         16,
         1,
         WriteSyntax::ExplicitBE,
         {},
         {},
         1,
         -1024,
         false,
         true},
    };
    for (const Encoding& e : encodings) {
        SECTION(e.name) {
            TempDir dir;
            const SeriesSpec spec = specFor(e);
            writeSeries(spec, dir.path);
            ScanResult fastScan, gdcmScan;
            DecodedStack fast = loadFolder(dir.path, fastScan);
            LoadOptions viaGdcm = fastOptions();
            viaGdcm.nativeFastPath = false;
            // GDCM aborts on some 32-bit files (in its worker, so only the GDCM load fails).
            DecodedStack ref;
            bool refLoaded = true;
            try {
                ref = loadFolder(dir.path, gdcmScan, viaGdcm);
            } catch (const DataError& err) {
                refLoaded = false;
                INFO("GDCM: " << err.what());
                CHECK_FALSE(e.gdcmAgrees);
            }
            const bool refOk = refLoaded && ref.failed.empty();
            REQUIRE(fast.failed.empty());
            CHECK(fast.decodedByOwnCode);
            CHECK(fast.decodedNatively == (e.syntax != WriteSyntax::Rle)); // RLE: in the isolated workers
            CHECK_FALSE((refLoaded && ref.decodedByOwnCode));
            const glm::ivec3 dims = fast.volume.geometry().dims;
            REQUIRE(dims == glm::ivec3(24, 6, 4));
            // The stack's order: the writer puts slice k at origin + k * step along the normal.
            // int16 exactly when every HU is an integer that fits; float32 otherwise.
            bool fitsInt16 = true;
            int wrong = 0, gdcmDiffers = 0;
            for (int k = 0; k < dims.z; ++k)
                for (int j = 0; j < dims.y; ++j)
                    for (int i = 0; i < dims.x; ++i) {
                        const double want = expectedHU(e, rawWord(e, i, j, k));
                        fitsInt16 = fitsInt16 && want == std::floor(want) && want >= -32768 && want <= 32767;
                        const double got = fast.volume.at(i, j, k);
                        if (std::abs(got - want) > 1e-6 * std::max(1.0, std::abs(want)) && wrong++ < 3)
                            FAIL_CHECK("voxel (" << i << ", " << j << ", " << k << "): " << got << ", want "
                                                 << want << " (raw word " << rawWord(e, i, j, k) << ")");
                        if (refOk && ref.volume.at(i, j, k) != fast.volume.at(i, j, k))
                            ++gdcmDiffers;
                    }
            CHECK(wrong == 0);
            CHECK(fast.volume.type() == (fitsInt16 ? ScalarType::Int16 : ScalarType::Float32));
            if (e.gdcmAgrees) {
                REQUIRE(refOk);
                CHECK(ref.volume.type() == fast.volume.type());
                CHECK(gdcmDiffers == 0);
            }
            CHECK(fast.minHU == Approx(refOk && e.gdcmAgrees ? ref.minHU : fast.minHU));
            const bool warned =
                std::any_of(fast.warnings.begin(), fast.warnings.end(),
                            [](const std::string& w) { return w.find("whole longs") != std::string::npos; });
            CHECK(warned == e.bigEndianLongs);
        }
    }
}

// gdcmconv 2.8 wrote encapsulated Pixel Data with VR OW instead of OB (pydicom's rtdose_rle_1frame.dcm, a
// 32-bit unsigned RT dose); PS3.5 A.4 says OB, but every reader accepts it. Our RLE decoder must find it too:
// GDCM aborts on that file (its FrameIncrementPointer without NumberOfFrames), so ours is the only reader.
TEST_CASE("RLE with its encapsulated Pixel Data written as OW: our decoder reads 32-bit unsigned exactly") {
    const Encoding e{"RLE, unsigned 32 bits, OW", 32, 32, 0, WriteSyntax::Rle, {}, {}, 1, 0};
    TempDir dir;
    writeSeries(specFor(e), dir.path);
    int patched = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
        std::string bytes = readFile(entry.path());
        const std::string ob("\xe0\x7f\x10\x00OB\x00\x00\xff\xff\xff\xff", 12);
        const std::size_t at = bytes.rfind(ob);
        REQUIRE(at != std::string::npos);
        bytes[at + 5] = 'W';
        std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << bytes;
        ++patched;
    }
    REQUIRE(patched == 4);
    ScanResult scan;
    const DecodedStack fast = loadFolder(dir.path, scan);
    REQUIRE(fast.failed.empty());
    CHECK(fast.decodedByOwnCode);
    const glm::ivec3 dims = fast.volume.geometry().dims;
    REQUIRE(dims == glm::ivec3(24, 6, 4));
    int wrong = 0;
    for (int k = 0; k < dims.z; ++k)
        for (int j = 0; j < dims.y; ++j)
            for (int i = 0; i < dims.x; ++i)
                if (fast.volume.at(i, j, k) != expectedHU(e, rawWord(e, i, j, k)) && wrong++ < 3)
                    FAIL_CHECK("voxel (" << i << ", " << j << ", " << k << "): " << fast.volume.at(i, j, k));
    CHECK(wrong == 0);
}

// A series that mixes compressed and native files goes to the isolated workers as a whole; the native files
// there must still be read by our own code, not GDCM, which aborts on some of them (pydicom's
// rtdose_1frame.dcm: FrameIncrementPointer without NumberOfFrames).
TEST_CASE("a series mixing RLE and native files: the native ones are read by our own code in the workers") {
    const Encoding e{"unsigned 32 bits", 32, 32, 0, WriteSyntax::Rle, {}, {}, 1, 0};
    TempDir rle, native;
    SeriesSpec spec = specFor(e);
    spec.studyUID = "1.2.826.0.1.3680043.2.1125.9.1";
    spec.seriesUID = "1.2.826.0.1.3680043.2.1125.9.2";
    writeSeries(spec, rle.path);
    spec.syntax = WriteSyntax::ExplicitLE;
    writeSeries(spec, native.path);
    int replaced = 0;
    for (const auto& entry : std::filesystem::directory_iterator(native.path))
        if (replaced++ < 2)
            std::filesystem::copy_file(entry.path(), rle.path / entry.path().filename(),
                                       std::filesystem::copy_options::overwrite_existing);
    ScanResult scan;
    const DecodedStack mixed = loadFolder(rle.path, scan);
    REQUIRE(mixed.failed.empty());
    CHECK(mixed.decodedByOwnCode);
    CHECK_FALSE(mixed.decodedNatively);
    REQUIRE(mixed.volume.geometry().dims == glm::ivec3(24, 6, 4));
    int wrong = 0;
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 6; ++j)
            for (int i = 0; i < 24; ++i)
                wrong += mixed.volume.at(i, j, k) != expectedHU(e, rawWord(e, i, j, k));
    CHECK(wrong == 0);
}

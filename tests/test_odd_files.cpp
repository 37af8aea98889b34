// Files from odd scanners, exporters and anonymisers: each one loads or is reported, none crashes ctview.
#include "testutil.h"

#include "base/error.h"
#include "sources/metadata.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace ctview;
using namespace ctview::test;

namespace {
// The header of a tiny 2x2 CT slice, in the form writeRawDicom takes.
std::vector<RawElement> tinySlice(const std::string& uid, double z, int bitsAllocated) {
    return {
        {0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.2"},
        {0x0008, 0x0018, uid},
        {0x0008, 0x0060, "CT"},
        {0x0020, 0x000e, "1.2.826.0.1.3680043.99.1"},
        {0x0020, 0x0013, std::to_string(int(z) + 1)},
        {0x0020, 0x0032, "0\\0\\" + std::to_string(z)},
        {0x0020, 0x0037, "1\\0\\0\\0\\1\\0"},
        {0x0028, 0x0030, "1\\1"},
        {0x0028, 0x0002, "1"},
        {0x0028, 0x0004, "MONOCHROME2"},
        {0x0028, 0x0010, "2"},
        {0x0028, 0x0011, "2"},
        {0x0028, 0x0100, std::to_string(bitsAllocated)},
        {0x0028, 0x0101, "12"},
        {0x0028, 0x0102, "11"},
        {0x0028, 0x0103, "0"},
    };
}
} // namespace

TEST_CASE("a file that makes GDCM abort is contained: reported by path, the rest of the series loads") {
    // Packed 12-bit pixels (BitsAllocated 12): 2x2 pixels need 6 bytes. The good slice has them; the bad one
    // has 8, which GDCM's 12-bit unpacker rejects with assert() -> abort() in Debian's build (GDCM bug fixed
    // upstream in 2025, malaterre/GDCM#190). In-process, this kills the application.
    TempDir dir;
    writeRawDicom(dir.path / "good.dcm", tinySlice("1.2.826.0.1.3680043.99.1.1", 0, 12),
                  std::string("\x00\x01\x02\x03\x04\x05", 6));
    writeRawDicom(dir.path / "bad.dcm", tinySlice("1.2.826.0.1.3680043.99.1.2", 1, 12),
                  std::string(8, '\x07'));
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.failed.size() == 1);
    CHECK(s.failed[0].path.filename() == "bad.dcm");
    CHECK_THAT(s.failed[0].reason, Catch::Contains("signal 6"));
    // The good slice, unpacked by GDCM: byte pairs 00 01 02 -> 0x100, 0x020 and 03 04 05 -> 0x403, 0x050.
    REQUIRE(s.volume.geometry().dims == glm::ivec3(2, 2, 2));
    CHECK(s.volume.at(0, 0, 0) == 0x100);
    CHECK(s.volume.at(1, 0, 0) == 0x020);
    CHECK(s.volume.at(0, 1, 0) == 0x403);
    CHECK(s.volume.at(1, 1, 0) == 0x050);
    bool warned = false;
    for (const auto& w : s.warnings)
        warned = warned || (w.find("bad.dcm") != std::string::npos);
    CHECK(warned);
}

TEST_CASE("non-image objects are skipped and summarised by kind") {
    TempDir dir;
    writeSeries(smallSeries(6, 5, 3), dir.path);
    auto object = [&](const char* name, const char* sop, const char* modality) {
        writeRawDicom(dir.path / name, {{0x0008, 0x0016, sop},
                                        {0x0008, 0x0018, std::string(sop) + ".7"},
                                        {0x0008, 0x0060, modality},
                                        {0x0020, 0x000e, "1.2.826.0.1.3680043.99.2"}});
    };
    object("sr1.dcm", "1.2.840.10008.5.1.4.1.1.88.22", "SR");
    object("sr2.dcm", "1.2.840.10008.5.1.4.1.1.88.33", "SR");
    object("doc.dcm", "1.2.840.10008.5.1.4.1.1.104.1", "DOC");
    object("pr.dcm", "1.2.840.10008.5.1.4.1.1.11.1", "PR");
    object("rs.dcm", "1.2.840.10008.5.1.4.1.1.481.3", "RTSTRUCT");
    ScanResult scan = scanInput(dir.path, fastOptions());
    // A structure set is a layer of the series, not a skipped file: counted apart (issue 27).
    CHECK(scan.summary() ==
          "8 files: 3 slices of series 1, 1 RT structure set, 4 skipped: 1 encapsulated PDF, "
          "1 presentation state, 2 structured reports");
    CHECK(scan.series.size() == 1);
}

TEST_CASE("a DICOMDIR opens the series it lists, in a folder it is skipped as a DICOMDIR") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 4);
    spec.fileName = [](int k) { return "IMAGES/IM" + std::to_string(k + 1); }; // DICOM file IDs: no extension
    // Attributes a DICOMDIR's patient/study/series records need.
    spec.strings["PatientID"] = "P1";
    spec.strings["StudyDate"] = "20260101";
    spec.strings["StudyTime"] = "120000";
    spec.strings["StudyID"] = "1";
    spec.strings["AccessionNumber"] = "A1";
    spec.strings["StudyDescription"] = "dicomdir test";
    writeSeries(spec, dir.path);
    writeDicomdir(dir.path, {"IMAGES/IM1", "IMAGES/IM2", "IMAGES/IM3", "IMAGES/IM4"});
    ScanResult viaDir = scanInput(dir.path / "DICOMDIR", fastOptions());
    REQUIRE(viaDir.series.size() == 1);
    CHECK(viaDir.series[0].planes.size() == 4);
    ScanResult viaFolder = scanInput(dir.path, fastOptions());
    CHECK(viaFolder.summary() == "5 files: 4 slices of series 1, 1 skipped: 1 DICOMDIR");
    DecodedStack s = loadSeries(viaDir, viaDir.pick(""), fastOptions());
    CHECK(s.volume.at(3, 2, 1) == storedPattern(3, 2, 1) - 1024);
}

TEST_CASE("Enhanced CT: one multi-frame file, per-frame positions from functional groups") {
    TempDir dir;
    SeriesSpec spec = smallSeries(7, 6, 5);
    spec.multiFrame = true;
    spec.fileName = [](int) { return std::string("enhanced.dcm"); };
    spec.stored = [](int i, int j, int k) { return double(i + 10 * j + 100 * k); };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    CHECK(scan.summary() == "1 file: 5 slices of series 1");
    const Geometry& g = s.volume.geometry();
    REQUIRE(g.dims == glm::ivec3(7, 6, 5));
    CHECK(g.spacing.z == Approx(2.5));
    CHECK(g.origin.z == Approx(-30));
    for (int k = 0; k < 5; ++k)
        CHECK(s.volume.at(6, 5, k) == 6 + 50 + 100 * k - 1024);
}

TEST_CASE("oblique acquisitions keep their direction cosines") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 4);
    const double c = std::cos(0.35), s20 = std::sin(0.35); // 20 degrees about the x axis
    spec.orientation = {1, 0, 0, 0, c, s20};
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    const Geometry& g = s.volume.geometry();
    CHECK(g.direction[1].y == Approx(c));
    CHECK(g.direction[1].z == Approx(s20));
    CHECK(g.direction[2].y == Approx(-s20));
    CHECK(g.direction[2].z == Approx(c));
    CHECK(orientationLabel(spec.orientation) == "oblique");
    CHECK(s.warnings.empty());
    for (int k = 0; k < 4; ++k)
        CHECK(s.volume.at(5, 4, k) == storedPattern(5, 4, k) - 1024);
}

TEST_CASE("bits above BitsStored are ignored and signed 12-bit values are sign-extended") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 2);
    spec.bitsStored = 12;
    spec.pixelRepresentation = 1;
    spec.clampToBitsStored = false;
    // Stored 12-bit two's complement value v = i*100 - 300 (so negative for i < 3), junk 0xA in bits 12..15.
    spec.stored = [](int i, int, int) { return double(0xA000 | ((i * 100 - 300) & 0x0FFF)); };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    for (int i = 0; i < 6; ++i)
        CHECK(s.volume.at(i, 2, 1) == i * 100 - 300 - 1024);
}

TEST_CASE("without positions, slices follow InstanceNumber (not file names) and the user is told") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 5);
    spec.writePositions = false;
    spec.instanceNumber = [](int k) { return 50 - k; }; // slice k has InstanceNumber 50-k
    spec.fileName = [](int k) { return "f" + std::to_string(k) + ".dcm"; };
    spec.stored = [](int, int, int k) { return double(k); };
    writeSeries(spec, dir.path);
    ScanResult scan;
    DecodedStack s = loadFolder(dir.path, scan);
    REQUIRE(s.plan.orderedByInstance);
    CHECK(s.volume.geometry().spacing.z == Approx(3.0)); // from SliceThickness, the only source left
    for (int k = 0; k < 5; ++k)
        CHECK(s.volume.at(0, 0, k) == (4 - k) - 1024);
    bool told = false;
    for (const auto& w : s.warnings)
        told = told || w.find("InstanceNumber") != std::string::npos;
    CHECK(told);
}

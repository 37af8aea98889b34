// Sources: every input goes through openSource(). Volume files written by other tools' libraries (Teem writes
// NRRD as 3D Slicer's NrrdIO does; nifticlib writes NIfTI-1 as dcm2niix and FSL do) open with exact values
// and their geometry in LPS; bad files give a message that names them; the DICOM source behaves as the loader
// does.
#include "testutil.h"

#include "base/error.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/metadata.h"
#include "sources/series.h"
#include "viewer/load_task.h"

#include <nifti/nifti1_io.h>
#include <teem/nrrd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <zlib.h>

using namespace ctview;
using namespace ctview::test;

namespace {

// A value per voxel that is distinguishable and fits uint16 and int16 after -1024.
int pattern(int i, int j, int k) {
    return 1000 + i + 10 * j + 100 * k;
}

Series openAndLoad(const std::filesystem::path& p) {
    const auto src = openSource(p.string(), fastOptions());
    return src->load(src->pick("").number, fastOptions());
}

void checkLps(const Geometry& g, glm::ivec3 ijk, glm::dvec3 expected) {
    const glm::dvec3 got = g.voxelToPatient(glm::dvec3(ijk));
    for (int c = 0; c < 3; ++c)
        CHECK(got[c] == Approx(expected[c]).margin(1e-4));
}

// NRRD through Teem: `space` and directions as given, values pattern() stored as uint16.
void writeTeemNrrd(const std::filesystem::path& p, int space, const double (&dirs)[3][3],
                   const double (&origin)[3], bool gzip, glm::ivec3 dims = {5, 4, 3}) {
    std::vector<std::uint16_t> data(std::size_t(dims.x * dims.y * dims.z));
    for (int k = 0; k < dims.z; ++k)
        for (int j = 0; j < dims.y; ++j)
            for (int i = 0; i < dims.x; ++i)
                data[std::size_t((k * dims.y + j) * dims.x + i)] = std::uint16_t(pattern(i, j, k));
    Nrrd* n = nrrdNew();
    REQUIRE(nrrdWrap_va(n, data.data(), nrrdTypeUShort, 3, std::size_t(dims.x), std::size_t(dims.y),
                        std::size_t(dims.z)) == 0);
    REQUIRE(nrrdSpaceSet(n, space) == 0);
    REQUIRE(nrrdSpaceOriginSet(n, const_cast<double*>(origin)) == 0);
    double d0[NRRD_SPACE_DIM_MAX] = {dirs[0][0], dirs[0][1], dirs[0][2]};
    double d1[NRRD_SPACE_DIM_MAX] = {dirs[1][0], dirs[1][1], dirs[1][2]};
    double d2[NRRD_SPACE_DIM_MAX] = {dirs[2][0], dirs[2][1], dirs[2][2]};
    nrrdAxisInfoSet_va(n, nrrdAxisInfoSpaceDirection, d0, d1, d2);
    nrrdAxisInfoSet_va(n, nrrdAxisInfoKind, nrrdKindDomain, nrrdKindDomain, nrrdKindDomain);
    NrrdIoState* nio = nrrdIoStateNew();
    if (gzip)
        nio->encoding = nrrdEncodingGzip;
    REQUIRE(nrrdSave(p.c_str(), n, nio) == 0);
    nrrdIoStateNix(nio);
    nrrdNix(n); // the data is ours
}

// NIfTI-1 through nifticlib, values pattern() as `datatype` with scl_slope/scl_inter.
nifti_image* newNifti(int datatype, glm::ivec3 dims, glm::dvec3 pixdim) {
    int dim[8] = {3, dims.x, dims.y, dims.z, 1, 1, 1, 1};
    nifti_image* nim = nifti_make_new_nim(dim, datatype, 1);
    nim->dx = nim->pixdim[1] = float(pixdim.x);
    nim->dy = nim->pixdim[2] = float(pixdim.y);
    nim->dz = nim->pixdim[3] = float(pixdim.z);
    nim->xyz_units = NIFTI_UNITS_MM;
    for (int k = 0; k < dims.z; ++k)
        for (int j = 0; j < dims.y; ++j)
            for (int i = 0; i < dims.x; ++i) {
                const std::size_t n = std::size_t((k * dims.y + j) * dims.x + i);
                if (datatype == DT_UINT16)
                    static_cast<std::uint16_t*>(nim->data)[n] = std::uint16_t(pattern(i, j, k));
                else if (datatype == DT_INT16)
                    static_cast<std::int16_t*>(nim->data)[n] = std::int16_t(pattern(i, j, k));
                else
                    static_cast<float*>(nim->data)[n] = float(pattern(i, j, k)) + 0.25f;
            }
    return nim;
}
void writeNifti(nifti_image* nim, const std::filesystem::path& p) {
    REQUIRE(nifti_set_filenames(nim, p.c_str(), 0, 1) == 0);
    nifti_image_write(nim);
    nifti_image_free(nim);
    REQUIRE(std::filesystem::exists(p));
}

} // namespace

TEST_CASE("NRRD written by Teem: RAS and LPS spaces, gzip, uint16 values, all in LPS with exact values") {
    TempDir dir;
    const double dirs[3][3] = {{0.7, 0, 0}, {0, 0.8, 0}, {0, 0, 2.5}};
    const double origin[3] = {10, 20, 30};
    SECTION("right-anterior-superior (as NIfTI tools write it), gzip") {
        writeTeemNrrd(dir.path / "ras.nrrd", nrrdSpaceRightAnteriorSuperior, dirs, origin, true);
        const Series s = openAndLoad(dir.path / "ras.nrrd");
        REQUIRE(s.volume.geometry().dims == glm::ivec3(5, 4, 3));
        // RAS (x, y) are LPS (-x, -y): the i axis runs to the patient's right, j anterior.
        checkLps(s.volume.geometry(), {0, 0, 0}, {-10, -20, 30});
        checkLps(s.volume.geometry(), {4, 3, 2}, {-10 - 4 * 0.7, -20 - 3 * 0.8, 30 + 2 * 2.5});
        CHECK(s.volume.type() == ScalarType::Int16); // uint16 values that fit int16 exactly
        CHECK(s.volume.at(3, 2, 1) == pattern(3, 2, 1));
        CHECK(s.about.source == "NRRD");
        CHECK(s.about.encodings == std::vector<std::string>{"gzip"});
        CHECK(s.minHU == pattern(0, 0, 0));
        CHECK(s.maxHU == pattern(4, 3, 2));
    }
    SECTION("left-posterior-superior (3D Slicer's default), raw") {
        writeTeemNrrd(dir.path / "lps.nrrd", nrrdSpaceLeftPosteriorSuperior, dirs, origin, false);
        const Series s = openAndLoad(dir.path / "lps.nrrd");
        checkLps(s.volume.geometry(), {4, 3, 2}, {10 + 4 * 0.7, 20 + 3 * 0.8, 30 + 2 * 2.5});
        CHECK(s.volume.at(4, 3, 2) == pattern(4, 3, 2));
        // The header listing says what the file says.
        REQUIRE(s.about.listTags);
        bool sawSpace = false;
        for (const TagEntry& t : s.about.listTags())
            sawSpace |= t.name == "space" && t.value == "left-posterior-superior";
        CHECK(sawSpace);
    }
}

TEST_CASE(
    "NRRD by hand: a detached big-endian header, values past int16 become float32, no orientation warns") {
    TempDir dir;
    // A detached header (.nhdr) with its data beside it, big endian int32, one value over int16.
    std::vector<unsigned char> bytes;
    std::vector<std::int32_t> values = {-1024, 0, 40000, 7, 8, 9, 10, 11};
    for (std::int32_t v : values)
        for (int b = 3; b >= 0; --b)
            bytes.push_back(static_cast<unsigned char>((std::uint32_t(v) >> (8 * b)) & 0xff));
    std::ofstream(dir.path / "v.raw", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    std::ofstream(dir.path / "v.nhdr")
        << "NRRD0004\ntype: int\ndimension: 3\nsizes: 2 2 2\nspacings: 1.5 1.5 4\n"
           "endian: big\nencoding: raw\ndata file: v.raw\n";
    const Series s = openAndLoad(dir.path / "v.nhdr");
    REQUIRE(s.volume.type() == ScalarType::Float32);
    CHECK(s.volume.at(0, 0, 0) == -1024);
    CHECK(s.volume.at(0, 1, 0) == 40000);
    CHECK(s.volume.at(1, 1, 1) == 11);
    CHECK(s.volume.geometry().spacing.z == Approx(4));
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(s.warnings[0], Catch::Contains("no orientation"));
}

TEST_CASE("NIfTI-1 written by nifticlib: qform only, sform only, scaled uint16, float32, .nii and .nii.gz") {
    TempDir dir;
    SECTION("qform only: a rotation of 90 degrees about z with qfac -1") {
        nifti_image* nim = newNifti(DT_INT16, {5, 4, 3}, {0.5, 0.7, 2});
        nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
        nim->sform_code = 0;
        nim->quatern_b = 0;
        nim->quatern_c = 0;
        nim->quatern_d = float(std::sqrt(0.5)); // a = cos 45, d = sin 45: x -> y, y -> -x
        nim->qfac = -1;
        nim->pixdim[0] = -1;
        nim->qoffset_x = 10;
        nim->qoffset_y = 20;
        nim->qoffset_z = 30;
        writeNifti(nim, dir.path / "q.nii");
        const Series s = openAndLoad(dir.path / "q.nii");
        // RAS = R * diag(0.5, 0.7, -2) * ijk + offset with R = [[0,-1,0],[1,0,0],[0,0,1]]; LPS negates x and
        // y.
        auto lps = [](double i, double j, double k) {
            return glm::dvec3(-(10 - 0.7 * j), -(20 + 0.5 * i), 30 - 2 * k);
        };
        checkLps(s.volume.geometry(), {0, 0, 0}, lps(0, 0, 0));
        checkLps(s.volume.geometry(), {4, 3, 2}, lps(4, 3, 2));
        CHECK(s.volume.at(4, 3, 2) == pattern(4, 3, 2));
        CHECK(s.about.source == "NIfTI-1");
    }
    SECTION("sform wins over a different qform; uint16 with scl_inter -1024 (as dcm2niix writes CT), gzip") {
        nifti_image* nim = newNifti(DT_UINT16, {5, 4, 3}, {0.5, 0.7, 2});
        nim->scl_slope = 1;
        nim->scl_inter = -1024;
        nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
        nim->qoffset_x = 999; // ignored: the sform is set
        nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
        // dcm2niix's usual CT affine: x flipped (columns run to the patient's left), rows flipped.
        const float sform[3][4] = {{-0.5f, 0, 0, 100}, {0, 0.7f, 0, -50}, {0, 0, 2, -200}};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c)
                nim->sto_xyz.m[r][c] = sform[r][c];
        writeNifti(nim, dir.path / "s.nii.gz");
        const Series s = openAndLoad(dir.path / "s.nii.gz");
        checkLps(s.volume.geometry(), {4, 3, 2}, {-(100 - 0.5 * 4), -(-50 + 0.7 * 3), -200 + 2 * 2});
        CHECK(s.volume.type() == ScalarType::Int16);
        CHECK(s.volume.at(4, 3, 2) == pattern(4, 3, 2) - 1024);
        CHECK(s.minHU == pattern(0, 0, 0) - 1024);
        CHECK(s.about.encodings == std::vector<std::string>{"gzip"});
    }
    SECTION(
        "an uncompressed .nii is read straight from the file, slab by slab; past int16, float32; cut short") {
        // More than one slab of 2^20 voxels, so that slabs meet inside a row; scaled as dcm2niix writes CT.
        const glm::ivec3 dims(130, 90, 100);
        nifti_image* nim = newNifti(DT_UINT16, dims, {0.5, 0.7, 2});
        nim->scl_slope = 1;
        nim->scl_inter = -1024;
        writeNifti(nim, dir.path / "big.nii");
        const Series s = openAndLoad(dir.path / "big.nii");
        REQUIRE(s.volume.type() == ScalarType::Int16);
        const std::size_t slab = 1 << 20;
        for (std::size_t n : {std::size_t(0), slab - 1, slab, std::size_t(dims.x) * dims.y * dims.z - 1}) {
            const int i = int(n % std::size_t(dims.x)),
                      j = int(n / std::size_t(dims.x) % std::size_t(dims.y)),
                      k = int(n / (std::size_t(dims.x) * std::size_t(dims.y)));
            CHECK(s.volume.at(i, j, k) == pattern(i, j, k) - 1024);
        }
        CHECK(s.minHU == pattern(0, 0, 0) - 1024);
        CHECK(s.maxHU == pattern(dims.x - 1, dims.y - 1, dims.z - 1) - 1024);

        nifti_image* over = newNifti(DT_UINT16, {5, 4, 3}, {1, 1, 1});
        static_cast<std::uint16_t*>(over->data)[7] = 40000;
        writeNifti(over, dir.path / "over.nii");
        const Series o = openAndLoad(dir.path / "over.nii");
        REQUIRE(o.volume.type() == ScalarType::Float32);
        CHECK(o.volume.at(2, 1, 0) == 40000);
        CHECK(o.volume.at(4, 3, 2) == pattern(4, 3, 2));

        std::filesystem::resize_file(dir.path / "big.nii",
                                     std::filesystem::file_size(dir.path / "big.nii") - 2);
        CHECK_THROWS_WITH(openAndLoad(dir.path / "big.nii"),
                          Catch::Contains("big.nii") && Catch::Contains("cut short"));
    }
    SECTION("float32 values that are not integers stay float32; cal_min/cal_max give the first window") {
        nifti_image* nim = newNifti(DT_FLOAT32, {5, 4, 3}, {1, 1, 1});
        nim->cal_min = -160;
        nim->cal_max = 240;
        writeNifti(nim, dir.path / "f.nii");
        const Series s = openAndLoad(dir.path / "f.nii");
        REQUIRE(s.volume.type() == ScalarType::Float32);
        CHECK(s.volume.at(1, 2, 0) == Approx(pattern(1, 2, 0) + 0.25));
        CHECK(initialWindow(s).width == Approx(400));
        CHECK(initialWindow(s).center == Approx(40));
        REQUIRE(s.warnings.size() == 1); // no qform or sform
    }
}

TEST_CASE("a DICOM series converted to NRRD and NIfTI opens again as the same volume through every command") {
    TempDir dir, out;
    SeriesSpec spec = smallSeries(12, 10, 8);
    spec.orientation = {0.8660254, 0.5, 0, -0.5, 0.8660254, 0}; // rotated 30 degrees about z
    writeSeries(spec, dir.path / "dicom");
    const Series dicom = openAndLoad(dir.path / "dicom");
    for (const char* name : {"v.nrrd", "v.nii", "v.nii.gz"}) {
        const Run r = run("convert -q " + q(dir.path / "dicom") + " -o " + q(out.path / name));
        REQUIRE(r.code == 0);
        const Series back = openAndLoad(out.path / name);
        REQUIRE(back.volume.type() == dicom.volume.type());
        REQUIRE(back.volume.geometry().dims == dicom.volume.geometry().dims);
        CHECK(std::memcmp(back.volume.data(), dicom.volume.data(), dicom.volume.bytes()) == 0);
        for (glm::ivec3 v : {glm::ivec3(0), glm::ivec3(11, 9, 7), glm::ivec3(3, 4, 5)})
            checkLps(back.volume.geometry(), v, dicom.volume.geometry().voxelToPatient(glm::dvec3(v)));
        // The commands take it like a folder.
        const Run info = run("info --json " + q(out.path / name));
        REQUIRE(info.code == 0);
        const auto j = nlohmann::json::parse(info.out);
        CHECK(j["source"]["kind"] == (std::string(name) == "v.nrrd" ? "NRRD" : "NIfTI-1"));
        CHECK(j["image"]["slices"] == 8);
        CHECK(j["image"]["orientation"] == "axial");
        const Run tags = run("info --tags " + q(out.path / name));
        CHECK(tags.code == 0);
        CHECK_THAT(tags.out,
                   Catch::Contains(std::string(name) == "v.nrrd" ? "space directions" : "sform_code"));
        const Run exp = run("export -q " + q(out.path / name) + " --slice 2 -o " + q(out.path / "png"));
        CHECK(exp.code == 0);
        CHECK(run("info " + q(out.path / name) + " --series 2").code == 2);
    }
    // The exported slice of the volume file is the DICOM series' slice, byte for byte.
    const Run fromDicom = run("export -q " + q(dir.path / "dicom") + " --slice 2 -o " + q(out.path / "dcm"));
    REQUIRE(fromDicom.code == 0);
    auto slurp = [](const std::filesystem::path& folder) {
        REQUIRE(std::filesystem::exists(folder));
        std::filesystem::path first = std::filesystem::directory_iterator(folder)->path();
        std::ifstream in(first, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    CHECK(slurp(out.path / "dcm") == slurp(out.path / "png"));
}

TEST_CASE("bad volume files: a clear message naming the file, exit 1, never a crash") {
    TempDir dir;
    auto write = [&](const char* name, const std::string& text) {
        std::ofstream(dir.path / name, std::ios::binary) << text;
        return dir.path / name;
    };
    struct Case {
        std::filesystem::path file;
        const char* says;
    };
    nifti_image* fiveD = [] { // a 4D file opens as phases (test_phases.cpp); a fifth axis is not an image
        int dim[8] = {5, 4, 4, 3, 2, 2, 1, 1};
        return nifti_make_new_nim(dim, DT_INT16, 1);
    }();
    writeNifti(fiveD, dir.path / "fmri.nii");
    std::string nifti2(540, '\0');
    const std::int32_t size = 540;
    std::memcpy(nifti2.data(), &size, 4);
    const std::vector<Case> cases = {
        {write("garbage.nii", "this is not a NIfTI header at all"), "not a readable NIfTI file"},
        {write("nifti2.nii", nifti2), "NIfTI-2"},
        {dir.path / "fmri.nii", "5D"},
        {write("short.nrrd", "NRRD0004\ntype: short\ndimension: 3\nsizes: 64 64 64\nencoding: raw\n\nabc"),
         "not a readable NRRD file"},
        {write("rgb.nrrd", "NRRD0004\ntype: uchar\ndimension: 4\nsizes: 3 4 4 4\nencoding: raw\n\n" +
                               std::string(192, 'x')),
         "4-dimensional"},
        {write("bad.nrrd", "NRRD0004\ntype: short\ndimension: three\n\n"), "not a readable NRRD file"},
        {dir.path / "missing.nii.gz", "no such file"},
    };
    for (const Case& c : cases) {
        INFO(c.file);
        try {
            openAndLoad(c.file);
            FAIL("no error");
        } catch (const DataError& e) {
            CHECK_THAT(e.what(), Catch::Contains(c.file.filename().string()));
            CHECK_THAT(e.what(), Catch::Contains(c.says));
        }
        const Run r = run("info " + q(c.file));
        CHECK(r.code == 1);
        CHECK_THAT(r.out, Catch::Contains(c.says));
    }
}

TEST_CASE("the load task opens a volume file as it opens a folder, the registry names every kind") {
    TempDir dir;
    nifti_image* nim = newNifti(DT_INT16, {6, 5, 4}, {1, 1, 3});
    nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->quatern_d = 1; // 180 degrees about z: RAS -x, -y = LPS +x, +y
    writeNifti(nim, dir.path / "v.nii.gz");
    viewer::LoadTask task((dir.path / "v.nii.gz").string(), "", fastOptions(), nullptr, nullptr);
    task.wait();
    std::string error;
    const auto d = task.take(error);
    REQUIRE(d);
    CHECK(error.empty());
    CHECK(d->series.volume.at(5, 4, 3) == pattern(5, 4, 3));
    checkLps(d->series.volume.geometry(), {5, 4, 3}, {5, 4, 9});
    REQUIRE(d->source);
    CHECK(d->source->series().size() == 1);
    CHECK(d->stats);

    // A volume too large for the memory allowed is refused before it is read.
    LoadOptions small = fastOptions();
    small.memoryLimitBytes = 100;
    const auto src = openSource((dir.path / "v.nii.gz").string(), small);
    CHECK_THROWS_WITH(src->load(1, small), Catch::Contains("needs 240 B of memory (6x5x4 voxels)"));

    std::vector<std::string> names;
    for (const SourceKind& k : sourceKinds())
        names.push_back(k.name);
    CHECK(names.back() == "DICOM folder, file or DICOMDIR");
    CHECK(sourceKinds().back().accepts("/anything"));
}

TEST_CASE(
    "a folder with two patients lists each series with its patient, study date and modality (issue 14.12)") {
    TempDir dir;
    SeriesSpec a = smallSeries(6, 5, 3);
    a.strings["PatientName"] = "ALPHA^ONE";
    a.strings["StudyDate"] = "20240102";
    a.seriesNumber = 4;
    writeSeries(a, dir.path / "a");
    SeriesSpec b = smallSeries(6, 5, 4);
    b.strings["PatientName"] = "BETA^TWO";
    b.strings["StudyDate"] = "20231130";
    b.modality = "MR";
    b.sopClassUID = "1.2.840.10008.5.1.4.1.1.4";
    b.seriesNumber = 2;
    writeSeries(b, dir.path / "b");
    const auto src = openSource(dir.path.string(), fastOptions());
    REQUIRE(src->series().size() == 2);
    std::map<std::string, SeriesListing> byPatient;
    for (const SeriesListing& l : src->series())
        byPatient[l.patientName] = l;
    REQUIRE(byPatient.count("ALPHA^ONE"));
    REQUIRE(byPatient.count("BETA^TWO"));
    CHECK(byPatient["ALPHA^ONE"].studyDate == "20240102");
    CHECK(byPatient["BETA^TWO"].studyDate == "20231130");
    CHECK(byPatient["BETA^TWO"].modality == "MR");
    const Run info = run("info --json " + q(dir.path));
    REQUIRE(info.code == 0);
    const auto j = nlohmann::json::parse(info.out);
    std::set<std::string> names;
    for (const auto& s : j["series_list"])
        names.insert(s["patient_name"].get<std::string>());
    CHECK(names == std::set<std::string>{"ALPHA^ONE", "BETA^TWO"});
}

TEST_CASE(
    "load problems are marked where the user looks: which slices are interpolated or empty (issue 14.4)") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 10);
    spec.fileName = [](int k) { return "s" + std::to_string(k) + ".dcm"; };
    writeSeries(spec, dir.path);
    std::filesystem::remove(dir.path / "s4.dcm"); // a missing slice: interpolated on the regular grid
    {                                             // a slice cut short: not decodable, left empty
        const auto p = dir.path / "s7.dcm";
        std::filesystem::resize_file(p, std::filesystem::file_size(p) - 40);
    }
    const Series s = openAndLoad(dir.path);
    CHECK(s.interpolatedSlices == std::vector<int>{4});
    CHECK(s.emptySlices == std::vector<int>{7});
    const std::vector<std::string> banner = loadProblems(s);
    REQUIRE(banner.size() >= 2);
    // The same words as the load's warnings and `info` (issue 32.4).
    CHECK(banner[0] == "1 slice missing: resampled to 2.5 mm; 1 of 10 displayed slices is interpolated");
    CHECK(std::count(s.warnings.begin(), s.warnings.end(),
                     banner[0] + " (--no-resample keeps the acquired slices)") == 1);
    CHECK(banner[1] == "1 slice could not be decoded: shown empty");
    // A series without problems has no banner.
    TempDir clean;
    writeSeries(smallSeries(6, 5, 4), clean.path);
    CHECK(loadProblems(openAndLoad(clean.path)).empty());
}

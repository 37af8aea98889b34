// Surfaces (mesh/, `ctview surface`): closed and manifold for every cube case and for noise, exact where the
// answer is known (a sphere and a torus in partial-volume voxels, computed here by supersampling, not by the
// code under test), smoothing and simplifying that keep them so, and the files a printer's slicer reads.
#include "testutil.h"

#include "mesh/contour.h"
#include "mesh/mesh_io.h"
#include "mesh/smooth.h"

#include "base/error.h"
#include "edit/mask_ops.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>
#include <random>

using namespace ctview;
using namespace ctview::test;

namespace {

// The fraction of voxel (i, j, k)'s box (grid g) inside `inside` (a point in LPS mm), by 8^3 samples where
// the voxel is within a voxel's diagonal of the boundary (`distance`: signed, negative inside).
template <class D> double partialVolume(const Geometry& g, int i, int j, int k, D distance) {
    const glm::dvec3 centre = g.voxelToPatient({i, j, k});
    const double reach = 0.5 * glm::length(g.spacing);
    const double d = distance(centre);
    if (d < -reach)
        return 1;
    if (d > reach)
        return 0;
    int in = 0;
    for (int a = 0; a < 8; ++a)
        for (int b = 0; b < 8; ++b)
            for (int c = 0; c < 8; ++c)
                in += distance(g.voxelToPatient(
                          {i - 0.5 + (a + 0.5) / 8, j - 0.5 + (b + 0.5) / 8, k - 0.5 + (c + 0.5) / 8})) < 0
                          ? 1
                          : 0;
    return in / 512.0;
}

// A float volume of 1000 HU times each voxel's partial volume of the shape, 0 HU outside.
template <class D> Volume shapeVolume(const Geometry& g, D distance) {
    Volume v(g, ScalarType::Float32, SharedBuffer::Sharing::Private);
    auto* out = static_cast<float*>(v.data());
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                out[v.index(i, j, k)] = float(1000 * partialVolume(g, i, j, k, distance));
    return v;
}

Geometry grid(glm::ivec3 dims, glm::dvec3 spacing) {
    Geometry g;
    g.dims = dims;
    g.spacing = spacing;
    g.origin = {-40.0, 12.5, -300.0};
    return g;
}

const glm::dvec3 kCentre(-40.0 + 23.3, 12.5 + 22.1, -300.0 + 23.9); // off the voxel centres
constexpr double kRadius = 20.0;
double sphereDistance(glm::dvec3 p) {
    return glm::length(p - kCentre) - kRadius;
}

// Mean |distance from the centre - radius| over the vertices.
double meanRadiusError(const Mesh& m) {
    double sum = 0;
    for (const glm::vec3& p : m.positions)
        sum += std::abs(glm::length(glm::dvec3(p) - kCentre) - kRadius);
    return sum / double(m.positions.size());
}

Mesh thresholdSurface(const Volume& v, float lo) {
    Mesh m = contourSurface(huRangeField(v, lo, 1e9f));
    voxelToPatient(m, v.geometry(), false);
    return m;
}

// A binary STL's triangles, as the 9 floats of their corners.
std::vector<std::array<float, 9>> readStl(const std::filesystem::path& file, std::string* header = nullptr) {
    std::ifstream in(file, std::ios::binary);
    char head[80];
    in.read(head, 80);
    if (header)
        *header = std::string(head, strnlen(head, 80));
    std::uint32_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 4);
    std::vector<std::array<float, 9>> out(n);
    for (auto& t : out) {
        float normal[3];
        std::uint16_t attribute = 0;
        in.read(reinterpret_cast<char*>(normal), 12);
        in.read(reinterpret_cast<char*>(t.data()), 36);
        in.read(reinterpret_cast<char*>(&attribute), 2);
    }
    REQUIRE(in.good());
    REQUIRE(in.peek() == std::char_traits<char>::eof());
    return out;
}

} // namespace

TEST_CASE(
    "surface: each of the 256 cube cases is closed, manifold, outward, one sphere per 6-connected part") {
    // One cube of 2 x 2 x 2 voxels, its in voxels the case's corners (the border closes it).
    for (int cfg = 1; cfg < 256; ++cfg) {
        Mask mask(8);
        for (int c = 0; c < 8; ++c)
            mask[std::size_t(c)] = std::uint8_t(cfg >> c & 1);
        const Mesh m = contourSurface(maskField(mask, {2, 2, 2}));
        const MeshCheck c = checkMesh(m);
        INFO("case " << cfg);
        CHECK(c.closedManifold());
        const std::size_t parts = findIslands(mask, {2, 2, 2}, Connectivity::Faces6).sizes.size();
        CHECK(c.parts == parts);
        CHECK(c.euler == 2 * (long long)parts);
        CHECK(enclosedVolume(m) > 0);
    }
}

TEST_CASE("surface: random voxels give a closed, manifold surface wound outwards, split across threads") {
    std::mt19937 random(7);
    for (const double density : {0.2, 0.5, 0.8}) {
        const glm::ivec3 dims(11, 9, 23);
        Mask mask(std::size_t(dims.x * dims.y * dims.z));
        std::bernoulli_distribution in(density);
        for (auto& v : mask)
            v = in(random) ? 1 : 0;
        const Mesh m = contourSurface(maskField(mask, dims));
        const MeshCheck c = checkMesh(m);
        INFO("density " << density);
        CHECK(c.closedManifold());
        CHECK(enclosedVolume(m) > 0);
        // Every vertex is used (the parts' shared planes joined, not duplicated).
        std::vector<bool> used(m.positions.size());
        for (std::uint32_t id : m.indices)
            used[id] = true;
        CHECK(std::count(used.begin(), used.end(), false) == 0);
    }
}

TEST_CASE(
    "surface: a sphere in partial-volume voxels, at its radius within 0.05 mm, its volume within 0.5 %") {
    const Geometry g = grid({52, 50, 40}, {0.9, 0.9, 1.2});
    const Volume v = shapeVolume(g, sphereDistance);
    Mesh m = thresholdSurface(v, 500);
    const MeshCheck c = checkMesh(m);
    CHECK(c.closedManifold());
    CHECK(c.parts == 1);
    CHECK(c.euler == 2);
    CHECK(meanRadiusError(m) < 0.05);
    const double exact = 4.0 / 3.0 * std::numbers::pi * std::pow(kRadius, 3);
    CHECK(std::abs(enclosedVolume(m) / exact - 1) < 0.005);

    // Smoothing does not shrink it (Taubin, not Laplacian), and keeps it closed.
    smoothTaubin(m, 20);
    CHECK(meanRadiusError(m) < 0.2);
    CHECK(std::abs(enclosedVolume(m) / exact - 1) < 0.01);
    CHECK(checkMesh(m).closedManifold());

    // Half the triangles, still closed and of the same volume.
    const std::size_t before = m.triangleCount();
    decimate(m, 0.5);
    CHECK(double(m.triangleCount()) == Approx(0.5 * double(before)).epsilon(0.05));
    const MeshCheck half = checkMesh(m);
    CHECK(half.closedManifold());
    CHECK(half.euler == 2);
    CHECK(std::abs(enclosedVolume(m) / exact - 1) < 0.01);
}

TEST_CASE("surface: a torus keeps its hole (Euler characteristic 0)") {
    const Geometry g = grid({52, 52, 20}, {1.0, 1.0, 1.0});
    const glm::dvec3 centre = g.voxelToPatient({25.7, 26.2, 9.6});
    const Volume v = shapeVolume(g, [&](glm::dvec3 p) {
        const glm::dvec3 d = p - centre;
        const double ring = std::hypot(d.x, d.y) - 16.0; // distance from the tube's centre line
        return std::hypot(ring, d.z) - 6.0;
    });
    const Mesh m = thresholdSurface(v, 500);
    const MeshCheck c = checkMesh(m);
    CHECK(c.closedManifold());
    CHECK(c.parts == 1);
    CHECK(c.euler == 0);
    // A tube of 12 voxels across: its chords cut a little more than a larger sphere's.
    const double exact = 2 * std::numbers::pi * std::numbers::pi * 16.0 * 36.0;
    CHECK(std::abs(enclosedVolume(m) / exact - 1) < 0.01);
}

TEST_CASE("surface: an object cut by the volume's border is closed half a voxel past the border voxels") {
    // Every voxel in: the surface runs along the volume's faces (rounded off at its edges and corners).
    const Geometry g = grid({4, 5, 6}, {0.6, 0.8, 2.5});
    Mask all(std::size_t(g.voxelCount()), 1);
    Mesh m = contourSurface(maskField(all, g.dims));
    CHECK(checkMesh(m).closedManifold());
    glm::vec3 lo(1e9f), hi(-1e9f);
    for (const glm::vec3& p : m.positions) {
        lo = glm::min(lo, p);
        hi = glm::max(hi, p);
    }
    CHECK(lo == glm::vec3(-0.5f));
    CHECK(hi == glm::vec3(3.5f, 4.5f, 5.5f));
    // In millimetres, LPS; RAS negates x and y; a left-handed grid (k running the other way) still outwards.
    Mesh lps = m, ras = m;
    voxelToPatient(lps, g, false);
    voxelToPatient(ras, g, true);
    CHECK(lps.positions[0].x == Approx(-40.0 + 0.6 * m.positions[0].x));
    CHECK(lps.positions[0].z == Approx(-300.0 + 2.5 * m.positions[0].z));
    CHECK(ras.positions[0] == glm::vec3(-lps.positions[0].x, -lps.positions[0].y, lps.positions[0].z));
    CHECK(enclosedVolume(lps) > 0);
    CHECK(enclosedVolume(ras) == Approx(enclosedVolume(lps)));
    Geometry flipped = g;
    flipped.direction[2] = glm::dvec3(0, 0, -1);
    Mesh left = m;
    voxelToPatient(left, flipped, false);
    CHECK(enclosedVolume(left) == Approx(enclosedVolume(lps)));
}

TEST_CASE("surface files: binary STL, OBJ and PLY hold the same triangles, normals and colour") {
    const Geometry g = grid({52, 50, 40}, {0.9, 0.9, 1.2});
    const Mesh m = thresholdSurface(shapeVolume(g, sphereDistance), 500);
    TempDir dir;
    const MeshFileInfo info{"ctview surface test, LPS mm", {10, 20, 30}};
    REQUIRE(writeMesh(m, dir.path / "s.stl", false, info) == dir.path / "s.stl");
    CHECK(writeMesh(m, dir.path / "s.stl", false, info) == dir.path / "s-1.stl"); // never replaced unasked
    std::string header;
    const auto stl = readStl(dir.path / "s.stl", &header);
    CHECK(header == info.comment);
    REQUIRE(stl.size() == m.triangleCount());
    for (int c = 0; c < 9; ++c)
        CHECK(stl[5][std::size_t(c)] == m.positions[m.indices[15 + std::size_t(c / 3)]][c % 3]);

    writeMesh(m, dir.path / "s.obj", false, info);
    std::ifstream obj(dir.path / "s.obj");
    std::size_t v = 0, vn = 0, f = 0;
    std::string firstFace;
    for (std::string line; std::getline(obj, line);) {
        v += line.starts_with("v ") ? 1 : 0;
        vn += line.starts_with("vn ") ? 1 : 0;
        if (line.starts_with("f ") && f++ == 0)
            firstFace = line;
    }
    CHECK(v == m.positions.size());
    CHECK(vn == m.positions.size());
    CHECK(f == m.triangleCount());
    const std::string a = std::to_string(m.indices[0] + 1), b = std::to_string(m.indices[1] + 1),
                      c = std::to_string(m.indices[2] + 1);
    CHECK(firstFace == "f " + a + "//" + a + " " + b + "//" + b + " " + c + "//" + c);

    writeMesh(m, dir.path / "s.ply", false, info);
    const std::string ply = readFile(dir.path / "s.ply");
    const std::size_t body = ply.find("end_header\n") + 11;
    CHECK(ply.starts_with("ply\nformat binary_little_endian 1.0\ncomment ctview surface test, LPS mm\n"));
    CHECK(ply.find("element vertex " + std::to_string(m.positions.size()) + "\n") != std::string::npos);
    CHECK(ply.size() == body + m.positions.size() * 27 + m.triangleCount() * 13);
    // The first vertex: position, an outward unit normal, the colour.
    float first[6];
    std::memcpy(first, ply.data() + body, 24);
    const glm::vec3 p(first[0], first[1], first[2]), n(first[3], first[4], first[5]);
    CHECK(p == m.positions[0]);
    CHECK(glm::length(n) == Approx(1.0));
    CHECK(glm::dot(n, glm::normalize(glm::vec3(glm::dvec3(p) - kCentre))) > 0.9f);
    CHECK(ply.substr(body + 24, 3) == std::string{10, 20, 30});

    // Not written: a folder that is not there, an unknown extension; nothing left behind.
    CHECK_THROWS_AS(writeMesh(m, dir.path / "no" / "s.stl", false, info), DataError);
    CHECK_THROWS_AS(meshFormatFor("s.3mf"), UsageError);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path))
        ++files;
    CHECK(files == 4);
}

namespace {

// A binary PLY as written by writeMesh (x y z nx ny nz red green blue; faces of 3): its mesh.
Mesh readPly(const std::filesystem::path& file) {
    const std::string ply = readFile(file);
    const std::size_t body = ply.find("end_header\n") + 11;
    std::size_t vertices = 0, faces = 0;
    std::sscanf(ply.c_str() + ply.find("element vertex "), "element vertex %zu", &vertices);
    std::sscanf(ply.c_str() + ply.find("element face "), "element face %zu", &faces);
    REQUIRE(ply.size() == body + vertices * 27 + faces * 13);
    Mesh m;
    m.positions.resize(vertices);
    for (std::size_t v = 0; v < vertices; ++v)
        std::memcpy(&m.positions[v], ply.data() + body + 27 * v, 12);
    for (std::size_t f = 0; f < faces; ++f) {
        const char* at = ply.data() + body + 27 * vertices + 13 * f;
        REQUIRE(at[0] == 3);
        std::int32_t corners[3];
        std::memcpy(corners, at + 1, 12);
        for (std::int32_t c : corners)
            m.indices.push_back(std::uint32_t(c));
    }
    return m;
}

// The number after `label` and its colon in admesh's report.
long admeshFigure(const std::string& report, const std::string& label) {
    const std::size_t at = report.find(label);
    REQUIRE(at != std::string::npos);
    return std::strtol(report.c_str() + report.find(':', at) + 1, nullptr, 10);
}

} // namespace

TEST_CASE("ctview surface: a sphere series to an STL in LPS mm that admesh finds closed, a segment to PLY") {
    TempDir dir;
    const Geometry g = grid({52, 50, 40}, {0.9, 0.9, 1.2});
    SeriesSpec s = smallSeries(g.dims.x, g.dims.y, g.dims.z);
    s.pixelSpacing = {g.spacing.y, g.spacing.x};
    s.sliceStep = g.spacing.z;
    s.sliceThickness = g.spacing.z;
    s.origin = {g.origin.x, g.origin.y, g.origin.z};
    s.stored = [&](int i, int j, int k) {
        return 1024.0 + std::round(1000 * partialVolume(g, i, j, k, sphereDistance));
    };
    writeSeries(s, dir.path / "ct");
    const std::string ct = q(dir.path / "ct");

    const Run made = run("surface -q " + ct + " --threshold 500 -o " + q(dir.path / "ball.stl"));
    REQUIRE(made.code == 0);
    CHECK(made.out == (dir.path / "ball.stl").string() + "\n");
    std::string header;
    const auto stl = readStl(dir.path / "ball.stl", &header);
    CHECK(header == "ctview surface of 500..1000 HU, LPS mm");
    double error = 0;
    for (const auto& t : stl)
        for (std::size_t c = 0; c < 9; c += 3)
            error += std::abs(glm::length(glm::dvec3(t[c], t[c + 1], t[c + 2]) - kCentre) - kRadius);
    CHECK(error / double(3 * stl.size()) < 0.05);
    // What a slicer sees: one part, every facet joined on all three edges, none backwards or degenerate.
    const Run admesh = shell("admesh " + q(dir.path / "ball.stl") + " 2>&1");
    REQUIRE(admesh.code == 0);
    INFO(admesh.out);
    CHECK(admeshFigure(admesh.out, "Number of parts") == 1);
    CHECK(admeshFigure(admesh.out, "Total disconnected facets") == 0);
    CHECK(admeshFigure(admesh.out, "Backwards edges") == 0);
    CHECK(admeshFigure(admesh.out, "Degenerate facets") == 0);
    CHECK(admeshFigure(admesh.out, "Facets reversed") == 0);

    // RAS: x and y negated, triangle for triangle. Half the triangles with --decimate 0.5.
    REQUIRE(run("surface -q " + ct + " --threshold 500 --ras -o " + q(dir.path / "ras.stl")).code == 0);
    const auto ras = readStl(dir.path / "ras.stl");
    REQUIRE(ras.size() == stl.size());
    CHECK(ras[7][0] == -stl[7][0]);
    CHECK(ras[7][1] == -stl[7][1]);
    CHECK(ras[7][2] == stl[7][2]);
    REQUIRE(run("surface -q " + ct + " --threshold 500 --decimate 0.5 -o " + q(dir.path / "half.stl")).code ==
            0);
    CHECK(double(readStl(dir.path / "half.stl").size()) == Approx(0.5 * double(stl.size())).epsilon(0.05));

    // A segment made by `segment`, by its name: smoothed out of its voxel steps, in its colour, still closed.
    REQUIRE(run("segment -q " + ct + " --threshold 500 --name Ball -o " + q(dir.path / "ball.nii.gz")).code ==
            0);
    const Run ply = run("surface -q " + ct + " --labels " + q(dir.path / "ball.nii.gz") +
                        " --segment Ball -o " + q(dir.path / "ball.ply"));
    REQUIRE(ply.code == 0);
    CHECK(readFile(dir.path / "ball.ply").find("comment ctview surface of Ball, LPS mm\n") !=
          std::string::npos);
    const Mesh ball = readPly(dir.path / "ball.ply");
    CHECK(checkMesh(ball).closedManifold());
    CHECK(meanRadiusError(ball) < 0.25);
    const double exact = 4.0 / 3.0 * std::numbers::pi * std::pow(kRadius, 3);
    CHECK(std::abs(enclosedVolume(ball) / exact - 1) < 0.02);

    // Bad input: one line naming the cause, the status, nothing written.
    auto fails = [&](const std::string& args) { return run("surface -q " + ct + " " + args + " 2>&1"); };
    const Run none = fails("--threshold 5000 -o " + q(dir.path / "none.stl"));
    CHECK(none.code == 1);
    CHECK(none.out.find("no voxel in 5000..") != std::string::npos);
    const Run big = fails("--threshold 500 --max-triangles 100 -o " + q(dir.path / "big.stl"));
    CHECK(big.code == 1);
    CHECK(big.out.find("over the limit of 100 (--max-triangles); keep fewer with --decimate") !=
          std::string::npos);
    const Run nowhere = fails("--threshold 500 -o " + q(dir.path / "no" / "x.stl"));
    CHECK(nowhere.code == 1);
    CHECK(nowhere.out.find((dir.path / "no" / "x.stl").string()) != std::string::npos);
    CHECK(fails("--threshold 500 -o " + q(dir.path / "x.3mf")).code == 2);
    CHECK(fails("-o " + q(dir.path / "x.stl")).code == 2);
    CHECK(fails("--threshold 500 --segment Ball -o " + q(dir.path / "x.stl")).code == 2);
    CHECK(fails("--threshold 500 --decimate 0 -o " + q(dir.path / "x.stl")).code == 2);
    CHECK(fails("--segment Nothing --labels " + q(dir.path / "ball.nii.gz") + " -o " + q(dir.path / "x.stl"))
              .code == 2);
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir.path))
        files.push_back(e.path().filename().string());
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"ball.json", "ball.nii.gz", "ball.ply", "ball.stl", "ct",
                                            "half.stl", "ras.stl"});
}

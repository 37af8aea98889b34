// `ctview segment` and the mask operations under it (edit/mask_ops.h): threshold, islands by 6- and
// 26-connectivity, grow from a seed, on a series whose bright voxels are placed here, so that every expected
// voxel is known without running the same algorithm.
#include "testutil.h"

#include "edit/mask_ops.h"
#include "edit/morphology.h"
#include "nrrd_nifti/volume_io.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

using namespace ctview;
using namespace ctview::test;

namespace {

// 12 x 10 x 8 voxels of air (-1024 HU) with three bright (500 HU) parts: a 3x3x3 cube A at (2..4)^3, a
// 2x2x2 cube B at (5..6)^3 touching A only at a corner (one part by 26-connectivity, two by 6), and a lone
// voxel C at (10, 8, 7).
bool inA(int i, int j, int k) {
    return i >= 2 && i <= 4 && j >= 2 && j <= 4 && k >= 2 && k <= 4;
}
bool inB(int i, int j, int k) {
    return i >= 5 && i <= 6 && j >= 5 && j <= 6 && k >= 5 && k <= 6;
}
bool inC(int i, int j, int k) {
    return i == 10 && j == 8 && k == 7;
}
SeriesSpec partsSeries() {
    SeriesSpec s = smallSeries(12, 10, 8);
    s.stored = [](int i, int j, int k) {
        return inA(i, j, k) || inB(i, j, k) || inC(i, j, k) ? 1524.0 : 0.0;
    };
    return s;
}

// The voxels (as (i, j, k)) set in a labelmap file.
std::set<std::tuple<int, int, int>> setVoxels(const std::filesystem::path& file) {
    const Volume v = readVolumeFile(file);
    std::set<std::tuple<int, int, int>> out;
    const glm::ivec3 d = v.geometry().dims;
    for (int k = 0; k < d.z; ++k)
        for (int j = 0; j < d.y; ++j)
            for (int i = 0; i < d.x; ++i)
                if (v.at(i, j, k) == 1)
                    out.insert({i, j, k});
    return out;
}
template <class F> std::set<std::tuple<int, int, int>> where(F in) {
    std::set<std::tuple<int, int, int>> out;
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 10; ++j)
            for (int i = 0; i < 12; ++i)
                if (in(i, j, k))
                    out.insert({i, j, k});
    return out;
}

} // namespace

TEST_CASE(
    "islands: 6-connectivity parts touching at a corner apart, 26 together, sizes in first-voxel order") {
    const glm::ivec3 dims(12, 10, 8);
    Mask mask(std::size_t(12 * 10 * 8), 0);
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 10; ++j)
            for (int i = 0; i < 12; ++i)
                mask[std::size_t((k * 10 + j) * 12 + i)] = inA(i, j, k) || inB(i, j, k) || inC(i, j, k);
    const Islands six = findIslands(mask, dims, Connectivity::Faces6);
    CHECK(six.sizes == std::vector<std::size_t>{27, 8, 1});
    const Islands all = findIslands(mask, dims, Connectivity::All26);
    CHECK(all.sizes == std::vector<std::size_t>{35, 1});
    CHECK(countVoxels(keepLargestIsland(mask, dims, Connectivity::Faces6)) == 27);
    CHECK(countVoxels(removeSmallIslands(mask, dims, 2, Connectivity::Faces6)) == 35);
    CHECK(countVoxels(keepIslandAt(mask, dims, {6, 6, 6}, Connectivity::Faces6)) == 8);
    CHECK(countVoxels(keepIslandAt(mask, dims, {6, 6, 6}, Connectivity::All26)) == 35);
    CHECK(countVoxels(keepIslandAt(mask, dims, {0, 0, 0}, Connectivity::All26)) == 0); // not in the mask
    CHECK(countVoxels(keepLargestIsland(Mask(mask.size(), 0), dims, Connectivity::All26)) == 0);
    // Grow from a seed: the same parts straight from the HU, without the threshold's mask.
    TempDir dir;
    writeSeries(partsSeries(), dir.path / "ct");
    ScanResult scan;
    const DecodedStack ct = loadFolder(dir.path / "ct", scan);
    const Volume& v = ct.volume;
    for (const Connectivity c : {Connectivity::Faces6, Connectivity::All26})
        for (const glm::ivec3 seed :
             {glm::ivec3(6, 6, 6), glm::ivec3(3, 3, 3), glm::ivec3(10, 8, 7), glm::ivec3(0)})
            CHECK(growFromSeed(v, 300, 3071, seed, c) ==
                  keepIslandAt(thresholdMask(v, 300, 3071), dims, seed, c));
}

TEST_CASE(
    "ctview segment: threshold, largest, islands, seed, a labelmap with its name that opens as a layer") {
    TempDir dir;
    writeSeries(partsSeries(), dir.path / "ct");
    const std::string ct = q(dir.path / "ct");
    auto make = [&](const std::string& args, const std::string& name) {
        const Run r = run("segment -q " + ct + " " + args + " -o " + q(dir.path / name));
        INFO(r.out);
        REQUIRE(r.code == 0);
        return setVoxels(dir.path / name);
    };
    const auto a = where(inA), b = where(inB), c = where(inC);
    auto both = [](std::set<std::tuple<int, int, int>> x, const std::set<std::tuple<int, int, int>>& y) {
        x.insert(y.begin(), y.end());
        return x;
    };
    CHECK(make("--threshold 300", "all.nii.gz") == both(both(a, b), c));
    CHECK(make("--threshold 300,600 --largest", "largest.nii.gz") == a);
    CHECK(make("--threshold 300 --largest --connectivity 26", "largest26.nrrd") == both(a, b));
    CHECK(make("--threshold 300 --min-island 2", "islands.nii") == both(a, b));
    // Grow from a click in B: B alone by faces; with A by corners.
    const glm::dvec3 inside(-10 + 0.6 * 6, 20 + 0.8 * 6, -30 + 2.5 * 6); // voxel (6, 6, 6)
    const std::string seed =
        std::to_string(inside.x) + "," + std::to_string(inside.y) + "," + std::to_string(inside.z);
    CHECK(make("--threshold 300 --seed " + seed, "grown.nii.gz") == b);
    CHECK(make("--threshold 300 --seed " + seed + " --connectivity 26", "grown26.nii.gz") == both(a, b));
    // Named in a label table beside it: `segments` shows the name.
    REQUIRE(
        run("segment -q " + ct + " --threshold 300 --largest --name Bone -o " + q(dir.path / "bone.nii.gz"))
            .code == 0);
    std::ifstream table(dir.path / "bone.json");
    CHECK(nlohmann::json::parse(table) == nlohmann::json({{"1", "Bone"}}));
    const Run listed = run("segments -q --json " + ct + " --labels " + q(dir.path / "bone.nii.gz"));
    REQUIRE(listed.code == 0);
    const auto j = nlohmann::json::parse(listed.out);
    CHECK(j["segments"][0]["name"] == "Bone");
    CHECK(j["segments"][0]["voxels"] == 27);
    CHECK(j["segments"][0]["hu"]["mean"] == 500.0);

    // Bad input: a clear message, the right status, nothing written.
    const Run none =
        run("segment -q " + ct + " --threshold 5000 -o " + q(dir.path / "none.nii.gz") + " 2>&1");
    CHECK(none.code == 1);
    CHECK(none.out.find("no voxel in 5000..") != std::string::npos);
    const Run air = run("segment -q " + ct + " --threshold 300 --seed=-10,20,-30 -o " +
                        q(dir.path / "x.nii.gz") + " 2>&1");
    CHECK(air.code == 1);
    CHECK(air.out.find("-1024 HU, not in 300..") != std::string::npos);
    CHECK(run("segment -q " + ct + " --threshold bone -o " + q(dir.path / "y.nii.gz")).code == 2);
    CHECK(run("segment -q " + ct + " --threshold 300 --seed 1,2 -o " + q(dir.path / "y.nii.gz")).code == 2);
    CHECK(run("segment -q " + ct + " --threshold 300 --seed 900,0,0 -o " + q(dir.path / "y.nii.gz")).code ==
          2);
    CHECK_FALSE(std::filesystem::exists(dir.path / "none.nii.gz"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "y.nii.gz"));
}

TEST_CASE("grow and shrink by a margin in mm: exactly the voxels whose centres are within it, close, open") {
    // Random masks on an anisotropic grid, against the definition checked voxel by voxel.
    Geometry g;
    g.dims = {9, 8, 7};
    g.spacing = {0.7, 0.9, 1.6};
    std::mt19937 random(11);
    std::bernoulli_distribution in(0.15);
    const std::size_t n = g.voxelCount();
    auto centre = [&](std::size_t v) {
        return glm::dvec3(double(v % 9), double(v / 9 % 8), double(v / 72)) * g.spacing;
    };
    for (const double mm : {0.7, 1.5, 2.2}) {
        Mask mask(n);
        for (auto& v : mask)
            v = in(random) ? 1 : 0;
        const Mask grown = growMask(mask, g, mm), shrunk = shrinkMask(mask, g, mm);
        for (std::size_t v = 0; v < n; ++v) {
            bool near = false, nearOut = false;
            for (std::size_t w = 0; w < n; ++w) {
                const bool within = glm::length(centre(v) - centre(w)) <= mm + 1e-9;
                near = near || (within && mask[w]);
                nearOut = nearOut || (within && !mask[w]);
            }
            INFO("voxel " << v << ", margin " << mm);
            CHECK(grown[v] == (near ? 1 : 0));
            CHECK(shrunk[v] == (mask[v] && !nearOut ? 1 : 0));
        }
    }
    // A block with a tunnel one voxel wide through it: closing by 1.5 mm (a ball holding the 18 nearest
    // voxels) fills it to its ends; opening by 1 mm removes a voxel sticking out and keeps the block's core.
    g.spacing = {1, 1, 1};
    Mask block(n, 0);
    auto index = [](int i, int j, int k) { return std::size_t((k * 8 + j) * 9 + i); };
    for (int k = 1; k < 6; ++k)
        for (int j = 1; j < 7; ++j)
            for (int i = 1; i < 8; ++i)
                block[index(i, j, k)] = (i == 4 && j == 3) ? 0 : 1; // the tunnel runs along k
    const Mask closed = closeMask(block, g, 1.5);
    for (int k = 1; k < 6; ++k)
        CHECK(closed[index(4, 3, k)] == 1);
    CHECK(countVoxels(closed) == countVoxels(block) + 5); // nothing else: not along the grid's border either
    Mask stray = closed;
    stray[index(8, 0, 0)] = 1; // a lone voxel in a corner of the grid
    const Mask opened = openMask(stray, g, 1.0);
    CHECK(opened[index(8, 0, 0)] == 0);
    CHECK(opened[index(4, 3, 3)] == 1);
    for (std::size_t v = 0; v < n; ++v)
        CHECK((opened[v] <= stray[v])); // opening only removes
    CHECK(countVoxels(growMask(Mask(n, 0), g, 3)) == 0);
}

TEST_CASE("median smoothing: a voxel is in when most of the box of voxel centres within mm / 2 is, bumps and "
          "dents go, the block stays") {
    // Random masks on an anisotropic grid against the definition, counted voxel by voxel (outside the grid
    // counts as out), the boxes reaching the border and across several slices' parts of the work.
    Geometry g;
    g.dims = {11, 9, 13};
    g.spacing = {0.7, 0.9, 1.6};
    std::mt19937 random(5);
    const std::size_t n = g.voxelCount();
    for (const double p : {0.3, 0.6})
        for (const double mm : {1.5, 2.0, 3.3, 5.0}) {
            std::bernoulli_distribution in(p);
            Mask mask(n);
            for (auto& v : mask)
                v = in(random) ? 1 : 0;
            const glm::ivec3 r = medianRadius(g, mm);
            REQUIRE(r == glm::ivec3(int(mm / 1.4 + 1e-9), int(mm / 1.8 + 1e-9), int(mm / 3.2 + 1e-9)));
            const Mask smooth = medianMask(mask, g, mm);
            const int kernel = (2 * r.x + 1) * (2 * r.y + 1) * (2 * r.z + 1);
            for (int k = 0; k < g.dims.z; ++k)
                for (int j = 0; j < g.dims.y; ++j)
                    for (int i = 0; i < g.dims.x; ++i) {
                        int count = 0;
                        for (int c = k - r.z; c <= k + r.z; ++c)
                            for (int b = j - r.y; b <= j + r.y; ++b)
                                for (int a = i - r.x; a <= i + r.x; ++a)
                                    if (a >= 0 && b >= 0 && c >= 0 && a < g.dims.x && b < g.dims.y &&
                                        c < g.dims.z)
                                        count += mask[std::size_t((c * g.dims.y + b) * g.dims.x + a)];
                        INFO("voxel " << i << "," << j << "," << k << " kernel " << mm << " mm");
                        CHECK(smooth[std::size_t((k * g.dims.y + j) * g.dims.x + i)] == (2 * count > kernel));
                    }
        }
    // A 5x5x5 block with a voxel sticking out and a voxel bitten from a face: a 3-voxel kernel (isotropic 1
    // mm, 3 mm) removes the one and fills the other.
    g.spacing = {1, 1, 1};
    auto index = [&](int i, int j, int k) { return std::size_t((k * g.dims.y + j) * g.dims.x + i); };
    Mask block(n, 0);
    for (int k = 3; k < 8; ++k)
        for (int j = 2; j < 7; ++j)
            for (int i = 3; i < 8; ++i)
                block[index(i, j, k)] = 1;
    Mask rough = block;
    rough[index(8, 4, 5)] = 1; // the bump
    rough[index(5, 2, 5)] = 0; // the dent
    const Mask smooth = medianMask(rough, g, 3.0);
    CHECK(smooth[index(8, 4, 5)] == 0);
    CHECK(smooth[index(5, 2, 5)] == 1);
    // The block's edges and corners are rounded off by the majority vote (a corner voxel sees 8 of 27, an
    // edge voxel 12), its faces stay.
    CHECK(smooth[index(3, 2, 3)] == 0);
    CHECK(smooth[index(5, 4, 3)] == 1);
    // Under a voxel: nothing to do, the mask as it was.
    CHECK(medianRadius(g, 1.9) == glm::ivec3(0));
    CHECK(medianMask(rough, g, 1.9) == rough);
    CHECK(countVoxels(medianMask(Mask(n, 0), g, 3)) == 0);
}

TEST_CASE(
    "ctview segment -o NAME.seg.nrrd: 3D Slicer's format with the name and colour, --close fills holes") {
    TempDir dir;
    writeSeries(partsSeries(), dir.path / "ct");
    const std::string ct = q(dir.path / "ct");
    const Run r = run("segment -q " + ct + " --threshold 300 --largest --name Bone -o " +
                      q(dir.path / "bone.seg.nrrd"));
    REQUIRE(r.code == 0);
    CHECK(r.out == (dir.path / "bone.seg.nrrd").string() + "\n");
    CHECK_FALSE(std::filesystem::exists(dir.path / "bone.seg.json")); // the name is in the file
    const std::string file = readFile(dir.path / "bone.seg.nrrd");
    for (const char* field : {"Segment0_Name:=Bone\n", "Segment0_LabelValue:=1\n", "Segment0_Layer:=0\n",
                              "Segment0_Color:=0.501961 0.682353 0.501961\n", "encoding: gzip\n",
                              "Segmentation_MasterRepresentation:=Binary labelmap\n"})
        CHECK(file.find(field) != std::string::npos);
    // Read back as a layer: the same voxels as the NIfTI labelmap, by name.
    const Run listed = run("segments -q --json " + ct + " --labels " + q(dir.path / "bone.seg.nrrd"));
    REQUIRE(listed.code == 0);
    const auto listing = nlohmann::json::parse(listed.out);
    CHECK(listing["segments"][0]["name"] == "Bone");
    CHECK(listing["segments"][0]["voxels"] == 27);
    CHECK(setVoxels(dir.path / "bone.seg.nrrd") == where(inA));

    // --close: the threshold's voxels closed by the margin on the series' grid (the margin's own test above).
    REQUIRE(run("segment -q " + ct + " --threshold 300 --close 4 -o " + q(dir.path / "closed.nii.gz")).code ==
            0);
    const Volume closed = readVolumeFile(dir.path / "closed.nii.gz");
    const Geometry& g = closed.geometry();
    Mask parts(g.voxelCount());
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                parts[closed.index(i, j, k)] = inA(i, j, k) || inB(i, j, k) || inC(i, j, k) ? 1 : 0;
    const Mask expected = closeMask(parts, g, 4);
    CHECK(countVoxels(expected) == countVoxels(parts) + 1); // where A's and B's corners meet
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                CHECK(closed.at(i, j, k) == expected[closed.index(i, j, k)]);
    CHECK(run("segment -q " + ct + " --threshold 300 --close=-1 -o " + q(dir.path / "x.nii.gz")).code == 2);

    // --median: the threshold's voxels smoothed with that kernel (0.6 x 0.8 x 2.5 mm voxels, 2 mm: 3 x 3 x
    // 1).
    REQUIRE(
        run("segment -q " + ct + " --threshold 300 --median 2 -o " + q(dir.path / "median.nii.gz")).code ==
        0);
    const Mask smooth = medianMask(parts, g, 2);
    CHECK(countVoxels(smooth) < countVoxels(parts));
    CHECK(countVoxels(smooth) > 0);
    const Volume median = readVolumeFile(dir.path / "median.nii.gz");
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                CHECK(median.at(i, j, k) == smooth[median.index(i, j, k)]);
    const Run small = run("segment -q " + ct + " --threshold 300 --median 1 -o " + q(dir.path / "x.nii.gz"));
    CHECK(small.code == 2);
    CHECK(small.out.find(
              "--median 1: the kernel is less than a voxel (0.6 x 0.8 x 2.5 mm); give at least 1.2 mm") !=
          std::string::npos);
}

// The geometry of slice views: screen <-> voxel <-> texture, zoom about the cursor, orientation letters,
// scale bars and the automatic window. No GL: these are the numbers the shader and the overlays are given.
#include "testutil.h"

#include "render/gl.h"
#include "volume/view.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace ctview;

namespace {
Geometry geometry(glm::ivec3 dims, glm::dvec3 spacing, glm::dmat3 direction = glm::dmat3(1.0)) {
    Geometry g;
    g.dims = dims;
    g.spacing = spacing;
    g.direction = direction;
    g.origin = {-50, 20, 7};
    return g;
}
} // namespace

TEST_CASE("view mapping: voxel centres round-trip through the screen and land on texel centres") {
    // Anisotropic spacing and a direction that runs against two patient axes, so that every flip is
    // exercised.
    glm::dmat3 dir(1.0);
    dir[0] = {-1, 0, 0}; // i runs towards the patient's right
    dir[2] = {0, 0, -1}; // k runs inferior
    const Geometry g = geometry({20, 12, 9}, {0.7, 1.1, 2.5}, dir);
    for (Axis axis : {Axis::Axial, Axis::Coronal, Axis::Sagittal}) {
        const SliceFrame f = sliceFrame(g, axis);
        const ViewMapping m(f, Rect{30, 40, 300, 200}, ViewCamera{1.7, {3.0, -2.0}});
        for (glm::ivec3 v : {glm::ivec3(0, 0, 0), glm::ivec3(19, 11, 8), glm::ivec3(7, 3, 5)}) {
            const glm::dvec2 s = m.voxelToScreen(v);
            glm::ivec3 back;
            REQUIRE(m.screenToVoxel(s, v[f.nAxis], back));
            CHECK(back == v);
            // The shader's map, at framebuffer scale 2 (HiDPI): the voxel centre must be its texel centre.
            const glm::vec4 tc =
                m.framebufferToTexture(v[f.nAxis], 2.0f) * glm::vec4(float(s.x * 2), float(s.y * 2), 0, 1);
            for (int a = 0; a < 3; ++a)
                CHECK(tc[a] == Approx((v[a] + 0.5) / g.dims[a]).margin(1e-5));
        }
        // Off the image: no voxel.
        glm::ivec3 none;
        CHECK_FALSE(m.screenToVoxel(m.displayToScreen({-0.5, 0.5}), 0, none));
        CHECK_FALSE(m.screenToVoxel(m.displayToScreen({0.5, f.height + 0.5}), 0, none));
    }
}

TEST_CASE("view mapping: zoom 1 fits the slice at physical aspect, centred") {
    const Geometry g = geometry({100, 50, 10}, {1.0, 2.0, 3.0});
    const ViewMapping m(sliceFrame(g, Axis::Axial), Rect{0, 0, 400, 400}, ViewCamera{});
    // 100 mm x 100 mm in a 400 x 400 view: 4 pixels per mm, the image fills the view.
    CHECK(m.pixelsPerMm() == Approx(4.0));
    CHECK(m.displayToScreen({0, 0}).x == Approx(0.0));
    CHECK(m.displayToScreen({100, 50}).y == Approx(400.0));
    const ViewMapping wide(sliceFrame(g, Axis::Coronal), Rect{0, 0, 400, 400}, ViewCamera{});
    // Coronal: 100 mm wide, 30 mm tall; letterboxed vertically.
    CHECK(wide.pixelsPerMm() == Approx(4.0));
    CHECK(wide.displayToScreen({0, 0}).y == Approx(200 - 60.0));
}

TEST_CASE("zoom about the cursor keeps the point under it") {
    const Geometry g = geometry({64, 64, 10}, {0.5, 0.5, 1.0});
    ViewCamera cam;
    const Rect r{10, 10, 256, 256};
    const glm::dvec2 cursor(70, 200);
    const ViewMapping before(sliceFrame(g, Axis::Axial), r, cam);
    const glm::dvec2 d = before.screenToDisplay(cursor);
    zoomAbout(cam, before, cursor, 2.5);
    const ViewMapping after(sliceFrame(g, Axis::Axial), r, cam);
    CHECK(cam.zoom == Approx(2.5));
    CHECK(after.displayToScreen(d).x == Approx(cursor.x));
    CHECK(after.displayToScreen(d).y == Approx(cursor.y));
}

TEST_CASE("orientation letters follow the direction cosines") {
    CHECK(directionLetters({1, 0, 0}) == "L");
    CHECK(directionLetters({-1, 0, 0}) == "R");
    CHECK(directionLetters({0, -1, 0}) == "A");
    CHECK(directionLetters({0, 0, 1}) == "S");
    CHECK(directionLetters({0.8, -0.6, 0}) == "LA");
    CHECK(directionLetters({0.1, 0, -0.995}) == "I");

    const Geometry g = geometry({10, 10, 10}, {1, 1, 1});
    const EdgeLetters ax = edgeLetters(g, sliceFrame(g, Axis::Axial));
    CHECK((ax.left == "R" && ax.right == "L" && ax.top == "A" && ax.bottom == "P"));
    const EdgeLetters co = edgeLetters(g, sliceFrame(g, Axis::Coronal));
    CHECK((co.left == "R" && co.right == "L" && co.top == "S" && co.bottom == "I"));
    const EdgeLetters sa = edgeLetters(g, sliceFrame(g, Axis::Sagittal));
    CHECK((sa.left == "A" && sa.right == "P" && sa.top == "S" && sa.bottom == "I"));
    // A stack stored feet-first and mirrored is still shown in radiological convention.
    glm::dmat3 flipped(1.0);
    flipped[0] = {-1, 0, 0};
    flipped[1] = {0, -1, 0};
    const Geometry gf = geometry({10, 10, 10}, {1, 1, 1}, flipped);
    const EdgeLetters axf = edgeLetters(gf, sliceFrame(gf, Axis::Axial));
    CHECK((axf.left == "R" && axf.right == "L" && axf.top == "A" && axf.bottom == "P"));
}

TEST_CASE("slice numbers run head to feet, anterior to posterior, right to left, whatever the stack order "
          "(issue 14.5)") {
    // Number 1 is the first image as RadiAnt, Horos and OHIF number a series (issue 32.5): the most superior
    // axial, the most anterior coronal, the patient's rightmost sagittal slice.
    auto patientAt = [](const Geometry& g, const SliceFrame& f, int number) {
        glm::dvec3 ijk(0.0);
        ijk[f.nAxis] = sliceIndex(f, number);
        return g.voxelToPatient(ijk);
    };
    glm::dmat3 reversed(1.0);
    reversed[0] = {-1, 0, 0}; // i towards the right
    reversed[1] = {0, -1, 0}; // j towards anterior
    reversed[2] = {0, 0, -1}; // k towards the feet
    for (const glm::dmat3& dir : {glm::dmat3(1.0), reversed}) {
        const Geometry g = geometry({6, 7, 9}, {1, 1, 2}, dir);
        const SliceFrame ax = sliceFrame(g, Axis::Axial), co = sliceFrame(g, Axis::Coronal),
                         sa = sliceFrame(g, Axis::Sagittal);
        for (int n = 1; n < ax.count; ++n)
            CHECK(patientAt(g, ax, n + 1).z < patientAt(g, ax, n).z); // to I
        for (int n = 1; n < co.count; ++n)
            CHECK(patientAt(g, co, n + 1).y > patientAt(g, co, n).y); // to P
        for (int n = 1; n < sa.count; ++n)
            CHECK(patientAt(g, sa, n + 1).x > patientAt(g, sa, n).x); // to L
        for (const SliceFrame& f : {ax, co, sa})
            for (int k = 0; k < f.count; ++k) {
                CHECK(sliceIndex(f, sliceNumber(f, k)) == k);
                CHECK(sliceNumber(f, k) >= 1);
                CHECK(sliceNumber(f, k) <= f.count);
            }
    }
    // The usual axial stack (k towards the head) is numbered backwards, its coronal and sagittal ones are
    // not.
    const Geometry g = geometry({6, 7, 9}, {1, 1, 2});
    CHECK(sliceNumber(sliceFrame(g, Axis::Axial), 0) == 9);
    CHECK(sliceNumber(sliceFrame(g, Axis::Axial), 8) == 1);
    CHECK(sliceNumber(sliceFrame(g, Axis::Coronal), 0) == 1);
    CHECK(sliceNumber(sliceFrame(g, Axis::Sagittal), 0) == 1);
}

TEST_CASE("scale bar lengths are round") {
    CHECK(scaleBarLength(0.5) == 1);
    CHECK(scaleBarLength(7) == 5);
    CHECK(scaleBarLength(19.9) == 10);
    CHECK(scaleBarLength(64) == 50);
    CHECK(scaleBarLength(140) == 100);
}

namespace {
// A CT-like slab: outside air, an elliptic body of soft tissue (`soft` HU, +-20 noise) in a fat ring, a bone,
// and `lungs` (two ellipses at -850 HU, as a fraction of the body's width; 0: none, an abdomen).
Volume bodyPhantom(double lungs, float soft, float airNoise = 0) {
    Geometry g = geometry({160, 120, 4}, {1, 1, 1});
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> noise(-20, 20);
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 120; ++j)
            for (int i = 0; i < 160; ++i) {
                const double x = (i - 80) / 70.0, y = (j - 60) / 50.0, r = x * x + y * y;
                float hu = -1000 + airNoise * noise(rng) / 20;
                if (r < 1)
                    hu = r > 0.8 ? -100.0f + noise(rng) : soft + noise(rng);
                if (std::hypot(x, y + 0.6) < 0.08)
                    hu = 700; // a vertebra
                for (double side : {-0.45, 0.45})
                    if (lungs > 0 && std::hypot((x - side) / lungs, y / 0.7) < 0.5)
                        hu = -850 + noise(rng);
                v.set(i, j, k, hu);
            }
    return v;
}
} // namespace

TEST_CASE(
    "automatic window: from the tissue peaks: soft tissue for an abdomen, lung for a chest (issue 14.6)") {
    // An abdomen: the soft-tissue window, centred on its soft-tissue peak.
    const WindowLevel abdomen = autoWindow(bodyPhantom(0, 45));
    CHECK(abdomen.width == Approx(400));
    CHECK(abdomen.center == Approx(45).margin(10));
    const WindowLevel liver = autoWindow(bodyPhantom(0, 80));
    CHECK(liver.center == Approx(80).margin(10));
    // An upper abdomen with the lung bases in it (about 4 % lung) is still an abdomen.
    const WindowLevel bases = autoWindow(bodyPhantom(0.3, 45));
    CHECK(bases.width == Approx(400));
    // Air whose noise reaches far up (as on the real chest-abdomen-pelvis CT of ../shared/data, whose lung
    // range is 19 % of the tissue without a peak of its own): still an abdomen.
    const WindowLevel tail = autoWindow(bodyPhantom(0.3, 45, 100));
    CHECK(tail.width == Approx(400));
    CHECK(tail.center == Approx(45).margin(10));
    // A chest with large lungs: the lung window.
    const WindowLevel chest = autoWindow(bodyPhantom(0.7, 40));
    CHECK(chest.width == Approx(1500));
    CHECK(chest.center == Approx(-600).margin(60));
    // Not CT (no air below -500, values are not HU): the 1st-99th percentile of what is there.
    Geometry g = geometry({100, 100, 1}, {1, 1, 1});
    Volume mr(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int j = 0; j < 100; ++j)
        for (int i = 0; i < 100; ++i)
            mr.set(i, j, 0, float(j * 100 + i) / 10); // a ramp 0..999
    const WindowLevel ramp = autoWindow(mr);
    CHECK(ramp.center == Approx(500).margin(3));
    CHECK(ramp.width == Approx(980).margin(6));
}

TEST_CASE("uniforms the C++ side sets must be declared by the shader (issue 13)") {
    const std::string glsl =
        "uniform sampler3D uVolume;  // HU\nuniform vec3 uCropMin, uCropMax;\nuniform vec2 uTfVisible;\n"
        "float uStep; // not a uniform\n";
    CHECK(gl::undeclaredUniforms(glsl, {"uVolume", "uCropMin", "uCropMax", "uTfVisible"}).empty());
    CHECK(gl::undeclaredUniforms(glsl, {"uTfMap", "uStep", "uVolum"}) ==
          std::vector<std::string>{"uTfMap", "uStep", "uVolum"});
}

TEST_CASE("shaders: `#include NAME` takes the file the defines bind to NAME, with #line for it (issue 13)") {
    const gl::ShaderText t =
        gl::resolveShader("raymarch.frag", "#define MODE_MIP\n#define RAY_BODY raymarch_extreme.glsl");
    // The skeleton, its includes and the mode's body, each counted from its own line 1.
    CHECK(t.files == std::vector<std::string>{"raymarch.frag", "voi.glsl", "raymarch_extreme.glsl"});
    CHECK(t.text.find("#line 1 2\n// MIP (MODE_MIP) and MinIP") != std::string::npos);
    CHECK(t.text.find("#include") == std::string::npos);
    CHECK(t.text.find("#define RAY_BODY raymarch_extreme.glsl\n") != std::string::npos);
    // A name the defines do not bind is an error that names the line.
    CHECK_THROWS_WITH(gl::resolveShader("raymarch.frag", "#define MODE_MIP"),
                      Catch::Contains("shaders/raymarch.frag:") &&
                          Catch::Contains("#include RAY_BODY: no #define names its file"));
}

TEST_CASE("shader compiler logs name the file and line") {
    const std::string mesa = gl::annotateShaderLog("0:14(7): error: `huu' undeclared\n", {"slice.frag"});
    CHECK(mesa == "shaders/slice.frag:14:7: error: `huu' undeclared\n");
    // The number before the line is the source string: the included file's index (resolveShader's #line).
    const std::string nv =
        gl::annotateShaderLog("1(22) : error C1008: undefined variable \"huu\"\n", {"x.frag", "voi.glsl"});
    CHECK(nv == "shaders/voi.glsl:22: error C1008: undefined variable \"huu\"\n");
    CHECK(gl::annotateShaderLog("ERROR: 0:3: 'foo' : syntax error\n", {"y.vert"}) ==
          "shaders/y.vert:3: error: 'foo' : syntax error\n");
}

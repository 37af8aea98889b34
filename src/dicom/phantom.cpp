#include "dicom/phantom.h"

#include "volume/colormap.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ctview {

namespace {

constexpr double kLength = 400.0; // mm, z from -200 (pelvis) to +200 (neck)
constexpr double kFov = 360.0;    // mm

double sq(double v) {
    return v * v;
}

// Inside an axis-aligned ellipsoid centred at (cx, cy, cz) with semi-axes (a, b, c).
bool inEllipsoid(double x, double y, double z, double cx, double cy, double cz, double a, double b,
                 double c) {
    return sq((x - cx) / a) + sq((y - cy) / b) + sq((z - cz) / c) <= 1.0;
}

// Deterministic standard-normal noise from a voxel index (hash + Box-Muller), independent of thread order.
double gaussian(std::uint64_t n) {
    auto mix = [](std::uint64_t v) {
        v += 0x9e3779b97f4a7c15ull;
        v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
        v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
        return v ^ (v >> 31);
    };
    const double u1 = (double(mix(n) >> 11) + 1.0) / 9007199254740993.0;
    const double u2 = double(mix(n ^ 0x5555555555555555ull) >> 11) / 9007199254740992.0;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// The aorta runs a little left of the midline, nearer the midline lower down.
double aortaX(double z) {
    return 16.0 + 6.0 * std::tanh(z / 60.0);
}

} // namespace

// LPS: +x towards the patient's left, +y posterior, +z superior.
double phantomHU(double x, double y, double z) {
    // Body cross-section: an ellipse that narrows towards the neck and widens at the pelvis.
    const double t = z / (kLength / 2); // -1 pelvis .. +1 neck
    double a = 155 - 25 * std::max(0.0, t - 0.7) / 0.3 * 2.5;
    double b = 105 + 8 * std::cos(t * 2.0);
    if (t > 0.8)
        a = 60, b = 55; // the neck
    const double r = sq(x / a) + sq(y / b);
    if (r > 1.0)
        return -1000.0;                                         // air
    const double depth = (1.0 - std::sqrt(r)) * std::min(a, b); // mm inside the skin, roughly
    if (depth < 2.0)
        return 30.0; // skin
    if (depth < 14.0)
        return -100.0; // subcutaneous fat

    // Spine: vertebral bodies every 30 mm with discs between, and the spinal canal.
    const double vy = b - 45;
    const double vz = std::fmod(z + 1000.0, 30.0);
    if (sq(x / 18) + sq((y - vy) / 16) <= 1.0) {
        if (vz < 4.0)
            return 80.0; // disc
        const double rr = std::sqrt(sq(x / 18) + sq((y - vy) / 16));
        return rr > 0.8 ? 1200.0 : 400.0; // cortical shell, cancellous core
    }
    if (sq(x / 8) + sq((y - vy - 22) / 8) <= 1.0)
        return 15.0; // spinal canal (CSF-like)
    if (vz > 6 && vz < 24 && std::abs(x) < 6 && y > vy + 28 && y < vy + 40)
        return 700.0; // spinous process

    const bool thorax = z > 0 && t <= 0.8;
    if (thorax) {
        // Ribs: thin curved bands every 25 mm just inside the muscle wall.
        const double rz = std::fmod(z + 1000.0, 25.0);
        if (rz < 7.0 && depth > 16 && depth < 24 && y < vy + 10)
            return 900.0;
        // Heart (anterior, left of midline) with contrast blood pool inside a muscular wall.
        if (inEllipsoid(x, y, z, 20, -25, 80, 55, 45, 50))
            return inEllipsoid(x, y, z, 20, -25, 80, 40, 32, 38) ? 250.0 : 45.0;
        // Lungs, each with a few vessels; lung parenchyma about -850 HU.
        for (double side : {-1.0, 1.0}) {
            if (inEllipsoid(x, y, z, side * 70, 5, 100, 60, 75, 95)) {
                for (int v = 0; v < 5; ++v) {
                    const double vx = side * (45 + 9 * v), vyy = -30 + 15 * v + 6 * std::sin(z / 20 + v);
                    if (sq(x - vx) + sq(y - vyy) < sq(2.5 - 0.3 * v))
                        return 60.0;
                }
                return -850.0;
            }
        }
        // Descending aorta with contrast, left of the spine (continuous with the abdominal aorta below).
        if (sq(x - aortaX(z)) + sq(y - (vy - 28)) < sq(12))
            return 300.0;
        // Trachea: an air tube in front of the oesophagus, dividing into the main bronchi at about z = 90 mm.
        if (z > 90 && sq(x) + sq(y + 5 - 0.0 * z) < sq(9))
            return sq(x) + sq(y + 5) < sq(7) ? -1000.0 : 20.0;
        return 40.0; // mediastinal soft tissue and chest-wall muscle
    }
    // Abdomen: liver on the patient's right (-x), spleen left, kidneys posterior, aorta anterior to the
    // spine.
    if (sq(x - aortaX(z)) + sq(y - (vy - 28)) < sq(11))
        return 300.0;
    if (inEllipsoid(x, y, z, -65, -5, -10, 75, 65, 55))
        return 60.0; // liver
    if (inEllipsoid(x, y, z, 75, 25, -5, 35, 30, 40))
        return 50.0; // spleen
    for (double side : {-1.0, 1.0})
        if (inEllipsoid(x, y, z, side * 55, vy - 5, -60, 22, 28, 50))
            return inEllipsoid(x, y, z, side * 55, vy - 5, -60, 12, 16, 38) ? 30.0 : 160.0; // medulla, cortex
    // Iliac wings: plates of bone with a dense cortex either side of the sacrum.
    if (z < -120)
        for (double side : {-1.0, 1.0}) {
            const double wing = sq((x - side * 55) / 38) + sq((y - (vy - 5)) / 22);
            if (wing < 1)
                return wing > 0.6 ? 900.0 : 250.0;
        }
    // Bowel: the zero band of a sum of plane waves in several directions with incommensurate wavelengths
    // (35-60 mm) meanders like loops of gut in every plane; its highest crests hold a little gas.
    static const double waves[6][5] = {
        // direction (x, y, z), wavelength mm, phase
        {0.8, 0.5, 0.33, 47, 0.3},  {-0.3, 0.9, 0.3, 39, 1.9},   {0.5, -0.2, 0.84, 58, 4.1},
        {0.1, 0.6, -0.79, 35, 2.6}, {-0.7, -0.4, 0.59, 51, 5.3}, {0.6, -0.7, -0.39, 43, 0.9},
    };
    double field = 0;
    for (const auto& w : waves)
        field += std::sin((w[0] * x + w[1] * y + w[2] * z) * 2 * M_PI / w[3] + w[4]);
    field /= 6;
    if (field > 0.45)
        return -950.0; // gas in the lumen
    if (std::abs(field) < 0.12 || field > 0.33)
        return 35.0; // bowel wall and content
    return -90.0;    // mesenteric fat
}

const std::vector<std::string>& phantomOrganNames() {
    static const std::vector<std::string> names = {"Liver", "Spleen", "Kidneys", "Heart",
                                                   "Lungs", "Aorta",  "Bone"};
    return names;
}

int phantomOrgan(double x, double y, double z) {
    // The organs' own shapes (as phantomHU draws them), where phantomHU gives them their tissue.
    const double hu = phantomHU(x, y, z);
    const double t = z / (kLength / 2);
    const bool thorax = z > 0 && t <= 0.8;
    if (hu >= 400 || hu == 900.0)
        return 7; // vertebrae, ribs, spinous processes, iliac wings
    if (hu == 300.0)
        return 6; // the aorta's contrast
    if (thorax) {
        if (inEllipsoid(x, y, z, 20, -25, 80, 55, 45, 50) && (hu == 250.0 || hu == 45.0))
            return 4;
        for (double side : {-1.0, 1.0})
            if (inEllipsoid(x, y, z, side * 70, 5, 100, 60, 75, 95) && (hu == -850.0 || hu == 60.0))
                return 5;
        return 0;
    }
    if (inEllipsoid(x, y, z, -65, -5, -10, 75, 65, 55) && hu == 60.0)
        return 1;
    if (inEllipsoid(x, y, z, 75, 25, -5, 35, 30, 40) && hu == 50.0)
        return 2;
    if (hu == 30.0 || hu == 160.0) {
        const double b = 105 + 8 * std::cos(t * 2.0), vy = b - 45;
        for (double side : {-1.0, 1.0})
            if (inEllipsoid(x, y, z, side * 55, vy - 5, -60, 22, 28, 50))
                return 3;
    }
    return 0;
}

void writePhantomSegmentation(const std::filesystem::path& file, int columns, int rows, int slices) {
    const SeriesSpec ct = phantomSpec(columns, rows, slices);
    SegSpec seg;
    seg.rows = rows;
    seg.columns = columns;
    seg.pixelSpacing = ct.pixelSpacing;
    seg.studyUID = ct.studyUID;
    seg.referencedSeriesUID = ct.seriesUID;
    seg.frameOfReferenceUID = ct.strings.at("FrameOfReferenceUID");
    seg.seriesDescription = "Phantom organs";
    // The CT's patient and study: the SEG is the same patient's (PS3.3 A.51, the Patient and General Study
    // modules), so a PACS files it with the CT and a de-identified copy gives both one pseudonym.
    for (const char* k : {"PatientName", "PatientID", "PatientSex", "PatientBirthDate", "StudyDate",
                          "StudyTime", "StudyDescription"})
        seg.strings[k] = ct.strings.at(k);
    // sRGB colours, written as DICOM's CIELab (RecommendedDisplayCIELabValue).
    const std::array<std::array<double, 3>, 7> rgb = {{{0.85, 0.45, 0.35},   // liver
                                                       {0.62, 0.30, 0.55},   // spleen
                                                       {0.90, 0.65, 0.30},   // kidneys
                                                       {0.80, 0.20, 0.25},   // heart
                                                       {0.45, 0.70, 0.95},   // lungs
                                                       {1.00, 0.15, 0.10},   // aorta
                                                       {0.95, 0.92, 0.80}}}; // bone
    std::vector<std::array<int, 3>> lab;
    for (const auto& c : rgb)
        lab.push_back(rgbToCielab(glm::vec3(float(c[0]), float(c[1]), float(c[2]))));
    for (std::size_t n = 0; n < phantomOrganNames().size(); ++n)
        seg.segments.push_back({int(n) + 1, phantomOrganNames()[n], lab[n]});
    const double px = ct.pixelSpacing[1], py = ct.pixelSpacing[0];
    for (std::size_t n = 1; n <= phantomOrganNames().size(); ++n)
        for (int k = 0; k < slices; ++k) {
            SegSpec::Frame f;
            f.segment = int(n);
            f.position = {ct.origin[0], ct.origin[1], ct.origin[2] + k * ct.sliceStep};
            f.pixels.assign(std::size_t(columns) * std::size_t(rows), 0);
            bool any = false;
            for (int j = 0; j < rows; ++j)
                for (int i = 0; i < columns; ++i)
                    if (phantomOrgan(ct.origin[0] + i * px, ct.origin[1] + j * py, f.position[2]) == int(n)) {
                        f.pixels[std::size_t(j) * std::size_t(columns) + std::size_t(i)] = 1;
                        any = true;
                    }
            if (any)
                seg.frames.push_back(std::move(f));
        }
    writeSegmentation(seg, file);
}

SeriesSpec phantomSpec(int columns, int rows, int slices) {
    SeriesSpec s;
    s.columns = columns;
    s.rows = rows;
    s.slices = slices;
    const double px = kFov / columns, py = kFov / rows;
    s.pixelSpacing = {py, px};
    s.sliceStep = slices > 1 ? kLength / (slices - 1) : 1.0;
    s.sliceThickness = s.sliceStep;
    // Image centre on the isocentre; slices from the pelvis (z = -200) up to the neck.
    s.origin = {-kFov / 2 + px / 2, -kFov / 2 + py / 2, -kLength / 2};
    s.bitsAllocated = 16;
    s.bitsStored = 12;
    s.pixelRepresentation = 0;
    s.intercept = [](int) { return -1024.0; };
    s.slope = [](int) { return 1.0; };
    const auto origin = s.origin;
    const double step = s.sliceStep;
    s.stored = [=](int i, int j, int k) {
        const double x = origin[0] + i * px, y = origin[1] + j * py, z = origin[2] + k * step;
        const double hu = phantomHU(x, y, z);
        const std::uint64_t n =
            (std::uint64_t(k) * std::uint64_t(rows) + std::uint64_t(j)) * std::uint64_t(columns) +
            std::uint64_t(i);
        const double noisy = hu <= -1000.0 ? hu + 4.0 * gaussian(n) : hu + 12.0 * gaussian(n);
        return std::clamp(std::round(noisy) + 1024.0, 0.0, 4095.0);
    };
    s.seriesNumber = 2;
    s.studyUID = makeUid("ctview phantom study");
    s.seriesUID = makeUid("ctview phantom series " + std::to_string(columns) + "x" + std::to_string(rows) +
                          "x" + std::to_string(slices));
    s.strings = {
        {"PatientName", "PHANTOM^CTVIEW"},
        {"PatientID", "CTVIEW-PHANTOM-1"},
        {"PatientSex", "O"},
        {"PatientAge", "050Y"},
        {"PatientBirthDate", "19760101"},
        {"StudyDate", "20260101"},
        {"StudyTime", "120000"},
        {"StudyDescription", "Synthetic CT chest/abdomen phantom"},
        {"SeriesDescription", "Phantom thorax-abdomen"},
        {"Manufacturer", "ctview"},
        {"ManufacturerModelName", "make-phantom"},
        {"BodyPartExamined", "CHEST"},
        {"KVP", "120"},
        {"Exposure", "250"},
        {"XRayTubeCurrent", "200"},
        {"ConvolutionKernel", "STANDARD"},
        {"WindowCenter", "40\\-600"},
        {"WindowWidth", "400\\1500"},
        {"WindowCenterWidthExplanation", "ABDOMEN\\LUNG"},
        {"ImageType", "ORIGINAL\\PRIMARY\\AXIAL"},
        {"PatientPosition", "FFS"},
        {"FrameOfReferenceUID", makeUid("ctview phantom frame of reference")},
        {"StudyID", "1"},
        {"AccessionNumber", ""},
        {"ReferringPhysicianName", ""},
    };
    return s;
}

void writePhantom(const std::filesystem::path& folder, int columns, int rows, int slices,
                  const std::function<void(int done, int total)>& progress, int phases) {
    SeriesSpec spec = phantomSpec(columns, rows, slices);
    spec.progress = progress;
    if (phases > 1) {
        // File k: slice k % slices of phase k / slices, at that slice's position.
        const SeriesSpec one = spec;
        spec.slices = slices * phases;
        spec.seriesUID =
            makeUid("ctview phantom 4D series " + std::to_string(columns) + "x" + std::to_string(rows) + "x" +
                    std::to_string(slices) + "x" + std::to_string(phases));
        spec.strings["SeriesDescription"] = "Phantom 4D (" + std::to_string(phases) + " phases)";
        for (int k = 0; k < spec.slices; ++k)
            spec.positions.push_back(
                {one.origin[0], one.origin[1], one.origin[2] + (k % slices) * one.sliceStep});
        const double px = one.pixelSpacing[1], py = one.pixelSpacing[0];
        // The heart's and the aorta's blood from 40 HU (no contrast yet) to 240 HU in the last phase: the
        // bolus arriving, within the soft-tissue window.
        spec.stored = [one, slices, phases, px, py](int i, int j, int k) {
            const int p = k / slices, s = k % slices;
            const double x = one.origin[0] + i * px, y = one.origin[1] + j * py,
                         z = one.origin[2] + s * one.sliceStep;
            const int organ = phantomOrgan(x, y, z);
            if (organ != 4 && organ != 6)
                return one.stored(i, j, s);
            const double blood = 40.0 + 200.0 * p / (phases - 1);
            return std::clamp(one.stored(i, j, s) - phantomHU(x, y, z) + blood, 0.0, 4095.0);
        };
        spec.perSlice = [slices, phases](int k) {
            return std::map<std::string, std::string>{
                {"TriggerTime", std::to_string(k / slices * 1000 / phases)}};
        };
        spec.instanceNumber = [](int k) { return k + 1; };
    }
    writeSeries(spec, folder);
}

} // namespace ctview

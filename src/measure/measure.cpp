#include "measure/measure.h"

#include "base/text.h"
#include "volume/mpr.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "volume/slice.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

namespace ctview {

namespace {
using json = nlohmann::json;

} // namespace

const std::vector<MeasureTool>& measureTools() {
    static const std::vector<MeasureTool> table = {
        {AnnotationType::Line, "line", 2, 2, "Distance", 'D', "distance (drag)"},
        {AnnotationType::Rectangle, "rectangle", 2, 2, "Box", 'B', "box (rectangle ROI, drag)"},
        {AnnotationType::Ellipse, "ellipse", 2, 2, "Ellipse", 'E', "ellipse ROI (drag)"},
        {AnnotationType::Point, "point", 1, 1, "Point", 'P', "point HU (click)"},
        {AnnotationType::Angle, "angle", 3, 3, "Angle", 'G',
         "angle (drag the first arm to the vertex, click the end of the second)"},
        {AnnotationType::Polygon, "polygon", 3, 100000, "Polygon", 'F',
         "polygon ROI (a click per vertex, Enter or a double click closes it)"},
    };
    return table;
}

const MeasureTool& measureTool(AnnotationType t) {
    for (const MeasureTool& row : measureTools())
        if (row.type == t)
            return row;
    return measureTools().front();
}

std::string annotationName(std::size_t number, const std::string& label) {
    std::string name = "annotation " + std::to_string(number);
    if (!label.empty())
        name += " (\"" + label + "\")";
    return name;
}

const char* annotationTypeName(AnnotationType t) {
    return measureTool(t).name;
}

AnnotationFile parseAnnotations(const std::string& text, const std::string& where) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw DataError(where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!j.is_object() || !j.contains("annotations") || !j["annotations"].is_array())
        throw DataError(where + ": expected {\"series\": UID, \"annotations\": [...]}");
    AnnotationFile f;
    if (j.contains("series")) {
        if (!j["series"].is_string())
            throw DataError(where + ": \"series\" must be a SeriesInstanceUID string");
        f.series = j["series"].get<std::string>();
    }
    std::size_t n = 0;
    for (const json& e : j["annotations"]) {
        ++n;
        std::string name = annotationName(n, "");
        if (!e.is_object())
            throw DataError(where + ": " + name + ": expected an object with type, points and label");
        Annotation a;
        if (e.contains("label")) {
            if (!e["label"].is_string())
                throw DataError(where + ": " + name + ": \"label\" must be text");
            a.label = e["label"].get<std::string>();
            name = annotationName(n, a.label);
        }
        const std::string type = e.value("type", std::string());
        const MeasureTool* info = nullptr;
        for (const MeasureTool& t : measureTools())
            if (type == t.name)
                info = &t;
        if (!info) {
            std::vector<std::string> known;
            for (const MeasureTool& t : measureTools())
                known.emplace_back(t.name);
            throw DataError(where + ": " + name + ": unknown type \"" + type +
                            "\" (use one of: " + joined(known, ", ") + ")");
        }
        a.type = info->type;
        if (!e.contains("points") || !e["points"].is_array())
            throw DataError(where + ": " + name + ": \"points\" must be a list of [x, y, z] in LPS mm");
        for (const json& p : e["points"]) {
            if (!p.is_array() || p.size() != 3 || !std::all_of(p.begin(), p.end(), [](const json& c) {
                    return c.is_number() && std::isfinite(c.get<double>());
                }))
                throw DataError(where + ": " + name +
                                ": each point must be [x, y, z], three numbers (LPS mm)");
            a.points.emplace_back(p[0].get<double>(), p[1].get<double>(), p[2].get<double>());
        }
        if (a.points.size() < info->minPoints || a.points.size() > info->maxPoints) {
            const std::string want = info->minPoints == info->maxPoints
                                         ? std::to_string(info->minPoints)
                                         : "at least " + std::to_string(info->minPoints);
            throw DataError(where + ": " + name + ": a " + info->name + " has " + want + " point" +
                            (info->maxPoints == 1 ? "" : "s") + ", not " + std::to_string(a.points.size()));
        }
        f.annotations.push_back(std::move(a));
    }
    return f;
}

AnnotationFile loadAnnotationFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError(path + ": cannot read the annotation file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str().size() > (64u << 20))
        throw DataError(path + ": too large for an annotation file (over 64 MiB)");
    return parseAnnotations(ss.str(), path);
}

std::string annotationsToJson(const AnnotationFile& f) {
    nlohmann::ordered_json j;
    j["series"] = f.series;
    j["annotations"] = nlohmann::ordered_json::array();
    for (const Annotation& a : f.annotations) {
        nlohmann::ordered_json pts = nlohmann::ordered_json::array();
        for (const glm::dvec3& p : a.points)
            pts.push_back({p.x, p.y, p.z});
        j["annotations"].push_back(
            {{"type", annotationTypeName(a.type)}, {"points", pts}, {"label", a.label}});
    }
    return j.dump(2) + "\n";
}

bool liesOnSlice(const Geometry& g, const Annotation& a, int nAxis, int k) {
    return !a.points.empty() && std::all_of(a.points.begin(), a.points.end(), [&](const glm::dvec3& p) {
        return std::abs(g.patientToVoxel(p)[nAxis] - k) <= 0.5;
    });
}

bool touchesSlices(const Geometry& g, const Annotation& a, const std::vector<int>& slices) {
    return std::any_of(a.points.begin(), a.points.end(), [&](const glm::dvec3& p) {
        const double k = g.patientToVoxel(p).z;
        return std::binary_search(slices.begin(), slices.end(), int(std::lround(k))) &&
               std::abs(k - std::round(k)) <= 0.5;
    });
}

glm::dvec2 boxOutlinePoint(glm::dvec2 c0, glm::dvec2 c1, bool ellipse, int i, int n) {
    if (!ellipse)
        return {i == 0 || i == 3 ? c0.x : c1.x, i < 2 ? c0.y : c1.y};
    const double t = 2 * M_PI * i / n;
    return {(c0.x + c1.x) / 2 + (c1.x - c0.x) / 2 * std::cos(t),
            (c0.y + c1.y) / 2 + (c1.y - c0.y) / 2 * std::sin(t)};
}

bool liesOnPlane(const Geometry& g, const Annotation& a, const SlicePlane& p) {
    const double half = 0.5 * std::min({g.spacing.x, g.spacing.y, g.spacing.z});
    return !a.points.empty() && std::all_of(a.points.begin(), a.points.end(), [&](const glm::dvec3& q) {
        return std::abs(p.distance(q)) <= half + 1e-9;
    });
}

namespace {
// Box corner c (0..3, around the box) of a rectangle or an ellipse: whose h and whose v of the two stored
// corners it takes.
constexpr int kCornerH[4] = {0, 1, 1, 0}, kCornerV[4] = {0, 0, 1, 1};
bool isBox(const Annotation& a) {
    return (a.type == AnnotationType::Rectangle || a.type == AnnotationType::Ellipse) && a.points.size() == 2;
}
} // namespace

std::vector<glm::dvec3> annotationHandles(const Geometry& g, const Annotation& a, const SliceFrame& f) {
    std::vector<glm::dvec3> ijk;
    for (const glm::dvec3& p : a.points)
        ijk.push_back(g.patientToVoxel(p));
    if (!isBox(a))
        return ijk;
    std::vector<glm::dvec3> corners;
    for (int c = 0; c < 4; ++c) {
        glm::dvec3 q = ijk[0];
        q[f.hAxis] = ijk[std::size_t(kCornerH[c])][f.hAxis];
        q[f.vAxis] = ijk[std::size_t(kCornerV[c])][f.vAxis];
        corners.push_back(q);
    }
    return corners;
}

void moveHandle(const Geometry& g, Annotation& a, const SliceFrame& f, int handle, const glm::dvec3& to) {
    if (handle < 0)
        return;
    if (!isBox(a)) {
        if (handle < int(a.points.size()))
            a.points[std::size_t(handle)] = to;
        return;
    }
    if (handle > 3)
        return;
    glm::dvec3 q0 = g.patientToVoxel(a.points[0]), q1 = g.patientToVoxel(a.points[1]);
    const glm::dvec3 t = g.patientToVoxel(to);
    (kCornerH[handle] == 0 ? q0 : q1)[f.hAxis] = t[f.hAxis];
    (kCornerV[handle] == 0 ? q0 : q1)[f.vAxis] = t[f.vAxis];
    a.points[0] = g.voxelToPatient(q0);
    a.points[1] = g.voxelToPatient(q1);
}

namespace {
// The statistics of an ROI's samples (RoiStats less its area), in one pass.
struct RoiAccumulator {
    std::size_t n = 0;
    double sum = 0, sum2 = 0, lo = INFINITY, hi = -INFINITY;
    void add(double hu) {
        ++n;
        sum += hu;
        sum2 += hu * hu;
        lo = std::min(lo, hu);
        hi = std::max(hi, hu);
    }
    void into(RoiStats& r) const {
        r.pixels = n;
        r.mean = r.sd = r.min = r.max = 0;
        if (n == 0)
            return;
        r.mean = sum / double(n);
        r.sd = std::sqrt(std::max(0.0, sum2 / double(n) - r.mean * r.mean)); // of the population
        r.min = lo;
        r.max = hi;
    }
};

// Even-odd rule, on an edge counting as inside: whether `p` lies in polygon `poly` (plane coordinates).
bool insidePolygon(const std::vector<glm::dvec2>& poly, glm::dvec2 p, double eps) {
    bool in = false;
    for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        const glm::dvec2 a0 = poly[j], a1 = poly[i], e = a1 - a0;
        const double t = glm::dot(p - a0, e) / std::max(glm::dot(e, e), 1e-18);
        if (glm::distance(p, a0 + std::clamp(t, 0.0, 1.0) * e) <= eps)
            return true;
        if ((a1.y > p.y) != (a0.y > p.y) && p.x < a0.x + (p.y - a0.y) * e.x / e.y)
            in = !in;
    }
    return in;
}

// A polygon in a plane tilted against the voxel grid (drawn in a turned view): its statistics are of the
// plane sampled on a square grid, the smallest voxel spacing apart, through the volume's centre projected
// onto the plane, each sample trilinear between the voxels around it (sampleHu), as the turned view shows
// it with interpolation on. The plane is the polygon's best fit (Newell's normal through its centroid).
Measurement measureObliqueRoi(const Volume& v, const Annotation& a, Measurement m) {
    const Geometry& g = v.geometry();
    glm::dvec3 n(0.0), centroid(0.0);
    for (std::size_t i = 0; i < a.points.size(); ++i) {
        const glm::dvec3 p = a.points[i], q = a.points[(i + 1) % a.points.size()];
        n += glm::dvec3((p.y - q.y) * (p.z + q.z), (p.z - q.z) * (p.x + q.x), (p.x - q.x) * (p.y + q.y));
        centroid += p;
    }
    n = glm::normalize(n);
    centroid /= double(a.points.size());
    // In-plane axes from the normal alone, so that the grid depends on the plane and not on the drawing.
    const glm::dvec3 least = std::abs(n.x) <= std::abs(n.y) && std::abs(n.x) <= std::abs(n.z)
                                 ? glm::dvec3(1, 0, 0)
                             : std::abs(n.y) <= std::abs(n.z) ? glm::dvec3(0, 1, 0)
                                                              : glm::dvec3(0, 0, 1);
    const glm::dvec3 e1 = glm::normalize(glm::cross(n, least)), e2 = glm::cross(n, e1);
    const glm::dvec3 c = volumeCentre(g);
    const glm::dvec3 origin = c + n * glm::dot(centroid - c, n);
    std::vector<glm::dvec2> poly;
    for (const glm::dvec3& p : a.points)
        poly.emplace_back(glm::dot(p - origin, e1), glm::dot(p - origin, e2));
    glm::dvec2 lo = poly[0], hi = poly[0];
    double twice = 0;
    for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        lo = glm::min(lo, poly[i]), hi = glm::max(hi, poly[i]);
        twice += poly[j].x * poly[i].y - poly[i].x * poly[j].y;
    }
    m.roi.areaMm2 = std::abs(twice) / 2;
    m.plane = "oblique";
    m.slice = -1;
    const double pitch = std::min({g.spacing.x, g.spacing.y, g.spacing.z}), eps = 1e-6;
    RoiAccumulator acc;
    for (long j = long(std::ceil(lo.y / pitch - eps)); j <= long(std::floor(hi.y / pitch + eps)); ++j)
        for (long i = long(std::ceil(lo.x / pitch - eps)); i <= long(std::floor(hi.x / pitch + eps)); ++i) {
            const glm::dvec2 q(double(i) * pitch, double(j) * pitch);
            if (!insidePolygon(poly, q, eps))
                continue;
            const float hu = sampleHu(v, g.patientToVoxel(origin + e1 * q.x + e2 * q.y), true);
            if (std::isnan(hu))
                continue;
            acc.add(hu);
        }
    acc.into(m.roi);
    return m;
}
} // namespace

Measurement measure(const Volume& v, const Annotation& a, const std::string& name) {
    const Geometry& g = v.geometry();
    Measurement m;
    std::vector<glm::dvec3> ijk;
    for (const glm::dvec3& p : a.points) {
        const glm::dvec3 q = g.patientToVoxel(p);
        for (int c = 0; c < 3; ++c)
            if (!(q[c] >= -0.5 && q[c] <= g.dims[c] - 0.5))
                throw DataError(name + ": the point (" + format("%.1f, %.1f, %.1f", p.x, p.y, p.z) +
                                ") mm lies outside the volume");
        ijk.push_back(q);
    }
    auto voxelAt = [&](glm::dvec3 q) {
        glm::ivec3 r;
        for (int c = 0; c < 3; ++c)
            r[c] = std::clamp(int(std::lround(q[c])), 0, g.dims[c] - 1);
        return r;
    };
    switch (a.type) {
    case AnnotationType::Point:
        m.voxel = voxelAt(ijk[0]);
        m.hu = v.at(m.voxel.x, m.voxel.y, m.voxel.z);
        return m;
    case AnnotationType::Line: {
        m.lengthMm = glm::distance(a.points[0], a.points[1]);
        m.profileStepMm = std::min({g.spacing.x, g.spacing.y, g.spacing.z});
        const int samples = int(std::floor(m.lengthMm / m.profileStepMm + 1e-9)) + 1;
        const glm::dvec3 dir = m.lengthMm > 0 ? (a.points[1] - a.points[0]) / m.lengthMm : glm::dvec3(0.0);
        for (int s = 0; s < samples && s < 100000; ++s) {
            const glm::ivec3 q = voxelAt(g.patientToVoxel(a.points[0] + dir * (s * m.profileStepMm)));
            m.profile.push_back(v.at(q.x, q.y, q.z));
        }
        return m;
    }
    case AnnotationType::Angle: {
        const glm::dvec3 u = a.points[0] - a.points[1], w = a.points[2] - a.points[1];
        if (glm::length(u) < 1e-9 || glm::length(w) < 1e-9)
            throw DataError(name + ": an arm of the angle has no length (a point on the vertex)");
        m.angleDeg = glm::degrees(
            std::acos(std::clamp(glm::dot(u, w) / (glm::length(u) * glm::length(w)), -1.0, 1.0)));
        return m;
    }
    default:
        break;
    }

    // ROIs: the voxel plane the points share (one coordinate within half a voxel).
    int normal = -1;
    for (int c = 0; c < 3 && normal < 0; ++c) {
        const double plane = std::round(ijk[0][c]);
        bool in = true;
        for (const glm::dvec3& q : ijk)
            in = in && std::abs(q[c] - plane) <= 0.5 + 1e-9;
        // Two corners on a shared line lie in two planes: take the one across which the box has area.
        if (in && a.points.size() == 2) {
            const int u = (c + 1) % 3, w = (c + 2) % 3;
            in = std::abs(ijk[1][u] - ijk[0][u]) > 1e-9 && std::abs(ijk[1][w] - ijk[0][w]) > 1e-9;
        }
        if (in)
            normal = c;
    }
    if (normal < 0) {
        if (a.type == AnnotationType::Polygon) {
            // Coplanar but tilted against the voxel grid, or not in one plane at all.
            const glm::dvec3 n = glm::cross(a.points[1] - a.points[0], a.points[2] - a.points[0]);
            bool planar = glm::length(n) > 1e-9;
            const double halfVoxel = 0.5 * std::min({g.spacing.x, g.spacing.y, g.spacing.z});
            for (const glm::dvec3& p : a.points)
                planar = planar && std::abs(glm::dot(p - a.points[0], glm::normalize(n))) <= halfVoxel;
            if (!planar)
                throw DataError(name + ": its points do not lie in one plane");
            return measureObliqueRoi(v, a, m);
        }
        throw DataError(name +
                        ": its corners do not lie in one axial, coronal or sagittal plane of the volume "
                        "(or the box has no area)");
    }
    const int ua = (normal + 1) % 3, wa = (normal + 2) % 3;
    const int k = int(std::lround(ijk[0][normal])); // the voxel index along the normal
    m.slice = k;
    for (Axis axis : {Axis::Axial, Axis::Coronal, Axis::Sagittal})
        if (const SliceFrame f = sliceFrame(g, axis); f.nAxis == normal) {
            m.plane = axisName(axis);
            m.slice = sliceNumber(f, k);
        }
    // In-plane coordinates in mm along the two other voxel axes (the directions are orthonormal).
    std::vector<glm::dvec2> poly;
    for (const glm::dvec3& q : ijk)
        poly.emplace_back(q[ua] * g.spacing[ua], q[wa] * g.spacing[wa]);
    glm::dvec2 lo = poly[0], hi = poly[0];
    for (const glm::dvec2& p : poly)
        lo = glm::min(lo, p), hi = glm::max(hi, p);
    const glm::dvec2 centre = (lo + hi) * 0.5, half = (hi - lo) * 0.5;
    const double eps = 1e-6;
    auto inside = [&](glm::dvec2 p) {
        switch (a.type) {
        case AnnotationType::Rectangle:
            return p.x >= lo.x - eps && p.x <= hi.x + eps && p.y >= lo.y - eps && p.y <= hi.y + eps;
        case AnnotationType::Ellipse: {
            const glm::dvec2 d = (p - centre) / half;
            return glm::dot(d, d) <= 1.0 + eps;
        }
        default:
            return insidePolygon(poly, p, eps);
        }
    };
    switch (a.type) {
    case AnnotationType::Rectangle:
        m.roi.areaMm2 = (hi.x - lo.x) * (hi.y - lo.y);
        break;
    case AnnotationType::Ellipse:
        m.roi.areaMm2 = M_PI * half.x * half.y;
        break;
    default: {
        double twice = 0;
        for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++)
            twice += poly[j].x * poly[i].y - poly[i].x * poly[j].y;
        m.roi.areaMm2 = std::abs(twice) / 2;
    }
    }
    RoiAccumulator acc;
    const int u0 = std::max(0, int(std::ceil(lo.x / g.spacing[ua] - eps))),
              u1 = std::min(g.dims[ua] - 1, int(std::floor(hi.x / g.spacing[ua] + eps)));
    const int w0 = std::max(0, int(std::ceil(lo.y / g.spacing[wa] - eps))),
              w1 = std::min(g.dims[wa] - 1, int(std::floor(hi.y / g.spacing[wa] + eps)));
    for (int w = w0; w <= w1; ++w)
        for (int u = u0; u <= u1; ++u) {
            if (!inside({u * g.spacing[ua], w * g.spacing[wa]}))
                continue;
            glm::ivec3 q(0);
            q[normal] = k;
            q[ua] = u;
            q[wa] = w;
            const double hu = v.at(q.x, q.y, q.z);
            acc.add(hu);
        }
    acc.into(m.roi);
    return m;
}

std::filesystem::path annotationStorePath(const std::string& seriesUid) {
    if (!isSafeUid(seriesUid)) // the UID becomes a file name
        return {};
    return userFolder(UserFolder::Data) / "annotations" / (seriesUid + ".json");
}

AnnotationFile loadAnnotationStore(const std::string& seriesUid, std::string& problem) {
    AnnotationFile f;
    f.series = seriesUid;
    const std::filesystem::path path = annotationStorePath(seriesUid);
    std::error_code ec;
    if (path.empty() || !std::filesystem::exists(path, ec))
        return f;
    try {
        f = loadAnnotationFile(path.string());
        f.series = seriesUid;
    } catch (const DataError& e) {
        // Kept aside under a new name, so that saving the (now empty) list never replaces what the user made.
        std::filesystem::path aside;
        for (int n = 1; n < 1000; ++n) {
            aside = path.parent_path() / (path.stem().string() + ".broken-" + std::to_string(n) + ".json");
            if (!std::filesystem::exists(aside, ec))
                break;
        }
        std::filesystem::rename(path, aside, ec);
        problem = std::string(e.what()) + (ec ? "; it could not be moved aside (" + ec.message() + ")"
                                              : "; kept as " + aside.string());
        f = AnnotationFile{};
        f.series = seriesUid;
    }
    return f;
}

void saveAnnotationStore(const AnnotationFile& f) {
    const std::filesystem::path path = annotationStorePath(f.series);
    if (path.empty())
        throw DataError("annotations of series \"" + f.series + "\" cannot be kept: not a SeriesInstanceUID");
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    writeTextFileAtomically(path, annotationsToJson(f));
}

namespace {
// The measurements of `annotations` that `shows` says lie on the image, with their values.
nlohmann::ordered_json sidecarAnnotations(const Volume& v, const std::vector<Annotation>& annotations,
                                          const std::function<bool(const Annotation&)>& shows) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (std::size_t n = 0; n < annotations.size(); ++n) {
        const Annotation& a = annotations[n];
        if (!shows(a))
            continue;
        nlohmann::ordered_json e = {{"type", annotationTypeName(a.type)}, {"label", a.label}};
        e["points"] = nlohmann::ordered_json::array();
        for (const glm::dvec3& p : a.points)
            e["points"].push_back({p.x, p.y, p.z});
        try {
            e["value"] = describeMeasurement(a, measure(v, a, annotationName(n + 1, a.label)));
        } catch (const DataError& err) {
            e["value"] = err.what();
        }
        list.push_back(e);
    }
    return list;
}
} // namespace

std::string sliceSidecarJson(const Volume& v, Axis axis, int k, const Slab& slab, double windowWidth,
                             double windowLevel, const std::string& seriesUid,
                             const std::vector<Annotation>& annotations, const std::string& image,
                             bool burnedIn) {
    const Geometry& g = v.geometry();
    const SliceFrame f = sliceFrame(g, axis);
    const SlicePosition at = slicePosition(g, axis, k);
    const glm::dvec3 lps = at.centreLps;
    nlohmann::ordered_json j;
    j["image"] = image;
    j["series"] = seriesUid;
    j["axis"] = axisName(axis);
    j["slice"] = sliceNumber(f, k);
    j["position_mm"] = at.mm;
    j["slice_centre_lps_mm"] = {lps.x, lps.y, lps.z};
    j["window"] = {{"width", windowWidth}, {"level", windowLevel}};
    j["pixel_spacing_mm"] = std::min(f.hSpacing, f.vSpacing); // the export's square pixels
    // A thick slab's pixels are its MIP, MinIP or mean over its slices; thin: the slice's own voxels. The
    // measurements below are of the thin slice at the slab's centre, as in the window.
    if (isThick(slab, f.nSpacing)) {
        const glm::ivec2 range = slabRange(slab, f, k);
        j["slab"] = {{"mode", slabModeName(slab.mode)},
                     {"thickness_mm", slab.thickness},
                     {"slices", range.y - range.x + 1}};
    }
    j["measurements_burned_in"] = burnedIn;
    j["annotations"] = sidecarAnnotations(v, annotations,
                                          [&](const Annotation& a) { return liesOnSlice(g, a, f.nAxis, k); });
    return j.dump(2) + "\n";
}

std::string planeSidecarJson(const Volume& v, Axis axis, const SlicePlane& p, int number, const Slab& slab,
                             double windowWidth, double windowLevel, const std::string& seriesUid,
                             const std::vector<Annotation>& annotations, const std::string& image,
                             bool burnedIn) {
    const Geometry& g = v.geometry();
    const SliceFrame f = sliceFrame(g, axis);
    const double step = normalStep(g, p.normal);
    auto triple = [](glm::dvec3 d) { return nlohmann::ordered_json{d.x, d.y, d.z}; };
    nlohmann::ordered_json j;
    j["image"] = image;
    j["series"] = seriesUid;
    j["axis"] = std::string(axisName(axis)) + "-oblique";
    j["slice"] = number;
    // The plane in patient space: the image centre, and the unit directions of its columns (right), rows
    // (down) and normal, LPS.
    j["plane"] = {{"centre_lps_mm", triple(p.origin)},
                  {"right", triple(p.right)},
                  {"down", triple(p.down)},
                  {"normal", triple(p.normal)}};
    j["window"] = {{"width", windowWidth}, {"level", windowLevel}};
    j["pixel_spacing_mm"] = std::min(f.hSpacing, f.vSpacing);
    if (const int half = slabHalfCount(slab, step); half > 0)
        j["slab"] = {
            {"mode", slabModeName(slab.mode)}, {"thickness_mm", slab.thickness}, {"samples", 2 * half + 1}};
    j["measurements_burned_in"] = burnedIn;
    j["annotations"] =
        sidecarAnnotations(v, annotations, [&](const Annotation& a) { return liesOnPlane(g, a, p); });
    return j.dump(2) + "\n";
}

std::string shortValue(const Annotation& a, const Measurement& m) {
    switch (a.type) {
    case AnnotationType::Line:
        return format("%.2f mm", m.lengthMm);
    case AnnotationType::Angle:
        return format("%.1f degrees", m.angleDeg);
    case AnnotationType::Point:
        return format("%.6g HU", m.hu);
    default:
        return format("mean %.1f HU, SD %.1f, %.2f cm2", m.roi.mean, m.roi.sd, m.roi.areaMm2 / 100);
    }
}

std::string describeMeasurement(const Annotation& a, const Measurement& m) {
    std::string s = annotationTypeName(a.type);
    if (!a.label.empty())
        s += " \"" + a.label + "\"";
    switch (a.type) {
    case AnnotationType::Line:
    case AnnotationType::Angle:
        return s + ": " + shortValue(a, m);
    case AnnotationType::Point:
        return s + ": " + shortValue(a, m) +
               format(" at voxel (%d, %d, %d)", m.voxel.x, m.voxel.y, m.voxel.z);
    default:
        break;
    }
    s += m.slice < 0 ? " (" + m.plane + ")" : " (" + m.plane + " " + std::to_string(m.slice) + ")";
    if (m.roi.pixels == 0)
        return s + format(": no voxel centre inside; area %.2f mm2", m.roi.areaMm2);
    return s + format(": mean %.1f HU, SD %.1f", m.roi.mean, m.roi.sd) +
           format(", min %.6g, max %.6g", m.roi.min, m.roi.max) + ", " + std::to_string(m.roi.pixels) +
           " pixels" + format(", area %.2f mm2 (%.2f cm2)", m.roi.areaMm2, m.roi.areaMm2 / 100);
}

const Measurement& MeasureCache::get(const Volume& v, const Annotation& a, const std::string& name) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
        return e.voxels == v.data() && e.name == name && e.annotation == a;
    });
    if (it == entries_.end()) {
        if (entries_.size() >= 64)
            entries_.erase(entries_.begin());
        Entry e{v.data(), a, name, {}, {}};
        try {
            e.value = measure(v, a, name);
        } catch (const DataError& error) {
            e.error = error.what();
        }
        entries_.push_back(std::move(e));
        it = entries_.end() - 1;
    }
    if (it->error)
        throw DataError(*it->error);
    return it->value;
}

} // namespace ctview

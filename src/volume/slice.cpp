#include "volume/slice.h"

#include "base/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ctview {

const char* axisName(Axis a) {
    switch (a) {
    case Axis::Axial:
        return "axial";
    case Axis::Coronal:
        return "coronal";
    case Axis::Sagittal:
        return "sagittal";
    }
    return "?";
}

bool parseAxis(const std::string& s, Axis& out) {
    for (Axis a : {Axis::Axial, Axis::Coronal, Axis::Sagittal})
        if (s == axisName(a)) {
            out = a;
            return true;
        }
    return false;
}

namespace {
// The voxel axis (0..2) whose direction is most aligned with LPS axis `lps`, among those not yet taken.
int closestAxis(const Geometry& g, int lps, const bool taken[3]) {
    int best = -1;
    double bestDot = -1;
    for (int a = 0; a < 3; ++a) {
        if (taken[a])
            continue;
        const double d = std::abs(g.direction[a][lps]);
        if (d > bestDot) {
            bestDot = d;
            best = a;
        }
    }
    return best;
}
} // namespace

SliceFrame sliceFrame(const Geometry& g, Axis axis) {
    // Which voxel axis points along x (L), y (P), z (S), assigned greedily from the most decisive.
    bool taken[3] = {false, false, false};
    int axisFor[3] = {0, 1, 2};
    const int lpsOrder[3] = {2, 1, 0};
    for (int lps : lpsOrder) {
        axisFor[lps] = closestAxis(g, lps, taken);
        taken[axisFor[lps]] = true;
    }
    auto sign = [&](int lps) { return g.direction[axisFor[lps]][lps] >= 0 ? 1 : -1; };
    SliceFrame f;
    // Screen x runs towards the patient's left (+x) in axial and coronal, towards posterior (+y) in sagittal.
    // Screen y (down) runs towards posterior (+y) in axial, towards inferior (-z) in coronal and sagittal.
    // Slice numbers run towards inferior (-z) in axial, posterior (+y) in coronal, left (+x) in sagittal.
    switch (axis) {
    case Axis::Axial:
        f.nAxis = axisFor[2];
        f.hAxis = axisFor[0];
        f.hFlip = sign(0) < 0;
        f.vAxis = axisFor[1];
        f.vFlip = sign(1) < 0;
        f.nFlip = sign(2) > 0;
        break;
    case Axis::Coronal:
        f.nAxis = axisFor[1];
        f.hAxis = axisFor[0];
        f.hFlip = sign(0) < 0;
        f.vAxis = axisFor[2];
        f.vFlip = sign(2) > 0;
        f.nFlip = sign(1) < 0;
        break;
    case Axis::Sagittal:
        f.nAxis = axisFor[0];
        f.hAxis = axisFor[1];
        f.hFlip = sign(1) < 0;
        f.vAxis = axisFor[2];
        f.vFlip = sign(2) > 0;
        f.nFlip = sign(0) < 0;
        break;
    }
    f.width = g.dims[f.hAxis];
    f.height = g.dims[f.vAxis];
    f.count = g.dims[f.nAxis];
    f.hSpacing = g.spacing[f.hAxis];
    f.vSpacing = g.spacing[f.vAxis];
    f.nSpacing = g.spacing[f.nAxis];
    return f;
}

const char* slabModeName(SlabMode m) {
    switch (m) {
    case SlabMode::Mip:
        return "mip";
    case SlabMode::MinIp:
        return "minip";
    case SlabMode::Average:
        return "average";
    }
    return "?";
}

const char* slabModeLabel(SlabMode m) {
    switch (m) {
    case SlabMode::Mip:
        return "MIP";
    case SlabMode::MinIp:
        return "MinIP";
    case SlabMode::Average:
        return "average";
    }
    return "?";
}

bool parseSlabMode(const std::string& s, SlabMode& out) {
    for (SlabMode m : {SlabMode::Mip, SlabMode::MinIp, SlabMode::Average})
        if (s == slabModeName(m)) {
            out = m;
            return true;
        }
    return false;
}

int slabHalfCount(const Slab& slab, double spacing) {
    if (!(slab.thickness > 0) || !(spacing > 0))
        return 0;
    // A slice whose centre lies exactly on the slab's face is in it; the tolerance absorbs spacings such as
    // 0.625 mm that are not exact in binary.
    return int(std::floor(slab.thickness / 2 / spacing + 1e-6));
}

SlicePosition slicePosition(const Geometry& g, Axis axis, int k) {
    glm::dvec3 centre(g.dims - 1);
    centre *= 0.5;
    centre[sliceFrame(g, axis).nAxis] = k;
    SlicePosition p;
    p.centreLps = g.voxelToPatient(centre);
    p.lpsAxis = axis == Axis::Axial ? 2 : axis == Axis::Coronal ? 1 : 0;
    p.mm = p.centreLps[p.lpsAxis];
    return p;
}

glm::ivec2 slabRange(const Slab& slab, const SliceFrame& f, int k) {
    const int half = slabHalfCount(slab, f.nSpacing);
    return {-std::min(half, k), std::min(half, f.count - 1 - k)};
}

namespace {
// Combines the `count` values at v[first], v[first + stride], ... as the slab's mode asks.
template <class T>
float combine(const T* data, std::ptrdiff_t first, std::ptrdiff_t stride, int count, SlabMode mode) {
    const T* p = data + first;
    if (mode == SlabMode::Average) {
        double sum = 0;
        for (int n = 0; n < count; ++n)
            sum += double(p[n * stride]);
        return float(sum / count);
    }
    float best = float(p[0]);
    for (int n = 1; n < count; ++n) {
        const float x = float(p[n * stride]);
        best = mode == SlabMode::Mip ? std::max(best, x) : std::min(best, x);
    }
    return best;
}
} // namespace

float slabValue(const Volume& v, const SliceFrame& f, glm::ivec3 ijk, const Slab& slab) {
    if (!isThick(slab, f.nSpacing))
        return v.at(ijk.x, ijk.y, ijk.z);
    const glm::ivec2 range = slabRange(slab, f, ijk[f.nAxis]);
    const int lo = ijk[f.nAxis] + range.x, hi = ijk[f.nAxis] + range.y;
    glm::ivec3 first = ijk, second = ijk;
    first[f.nAxis] = lo;
    second[f.nAxis] = std::min(lo + 1, hi);
    const auto start = std::ptrdiff_t(v.index(first.x, first.y, first.z));
    const std::ptrdiff_t stride = std::ptrdiff_t(v.index(second.x, second.y, second.z)) - start;
    return v.type() == ScalarType::Int16 ? combine(v.int16Data(), start, stride, hi - lo + 1, slab.mode)
                                         : combine(v.float32Data(), start, stride, hi - lo + 1, slab.mode);
}

std::string slabLabel(const Slab& slab, double spacing) {
    const int half = slabHalfCount(slab, spacing);
    if (half == 0)
        return "";
    char text[96];
    std::snprintf(text, sizeof text, "%s %g mm (%d slices)", slabModeLabel(slab.mode), slab.thickness,
                  2 * half + 1);
    return text;
}

SliceImage extractSlice(const Volume& v, Axis axis, int index, const Slab& slab) {
    const SliceFrame f = sliceFrame(v.geometry(), axis);
    if (index < 0 || index >= f.count)
        throw UsageError(std::string("voxel index ") + std::to_string(index) + " is out of range: the " +
                         axisName(axis) + " view has voxel indices 0.." + std::to_string(f.count - 1));
    SliceImage out;
    out.pixelSize = std::min(f.hSpacing, f.vSpacing);
    out.width = std::max(1, int(std::lround(f.width * f.hSpacing / out.pixelSize)));
    out.height = std::max(1, int(std::lround(f.height * f.vSpacing / out.pixelSize)));
    out.hu.resize(std::size_t(out.width) * std::size_t(out.height));

    const bool thick = isThick(slab, f.nSpacing);
    auto voxel = [&](int h, int vv) {
        int ijk[3];
        ijk[f.nAxis] = index;
        ijk[f.hAxis] = f.hFlip ? f.width - 1 - h : h;
        ijk[f.vAxis] = f.vFlip ? f.height - 1 - vv : vv;
        return thick ? slabValue(v, f, glm::ivec3(ijk[0], ijk[1], ijk[2]), slab)
                     : v.at(ijk[0], ijk[1], ijk[2]);
    };
    // Source coordinate of an output pixel centre, and the two neighbours with their weight.
    auto source = [](int dst, int outN, int srcN, int& a, int& b, float& t) {
        if (outN == srcN) {
            a = b = dst;
            t = 0;
            return;
        }
        const double s = std::clamp((dst + 0.5) * double(srcN) / outN - 0.5, 0.0, double(srcN - 1));
        a = int(s);
        b = std::min(a + 1, srcN - 1);
        t = float(s - a);
    };
    for (int y = 0; y < out.height; ++y) {
        int y0, y1;
        float ty;
        source(y, out.height, f.height, y0, y1, ty);
        for (int x = 0; x < out.width; ++x) {
            int x0, x1;
            float tx;
            source(x, out.width, f.width, x0, x1, tx);
            float val;
            if (tx == 0 && ty == 0) {
                val = voxel(x0, y0);
            } else {
                const float top = voxel(x0, y0) + tx * (voxel(x1, y0) - voxel(x0, y0));
                const float bottom = voxel(x0, y1) + tx * (voxel(x1, y1) - voxel(x0, y1));
                val = top + ty * (bottom - top);
            }
            out.hu[std::size_t(y) * std::size_t(out.width) + std::size_t(x)] = val;
        }
    }
    return out;
}

RgbImage renderSlice(const SliceImage& s, const WindowLevel& wl, const ColormapTable& map) {
    RgbImage img;
    img.width = s.width;
    img.height = s.height;
    img.rgb.resize(std::size_t(s.width) * std::size_t(s.height) * 3);
    for (std::size_t n = 0; n < s.hu.size(); ++n) {
        if (std::isnan(s.hu[n])) // off the volume (a turned plane's corners): black, as the view shows it
            continue;
        const int idx = int(std::lround(wl.apply(s.hu[n]) * 255.0));
        const auto& c = map[std::size_t(std::clamp(idx, 0, 255))];
        img.rgb[3 * n] = c[0];
        img.rgb[3 * n + 1] = c[1];
        img.rgb[3 * n + 2] = c[2];
    }
    return img;
}

} // namespace ctview

#pragma once
// The HU volume and its geometry in patient space.
//
// Coordinate spaces: voxel (i, j, k) with i along a row (increasing column index), j down the columns
// (increasing row index) and k along the slice stack; patient space is DICOM's LPS in millimetres.
//   p_LPS = origin + direction * (i * spacing.x, j * spacing.y, k * spacing.z)
// direction's columns are the unit vectors of the i, j and k axes: the row and column cosines of
// ImageOrientationPatient (0020,0037), and the stacking direction (their cross product for a regular grid).
#include "base/isolate.h"

#include <glm/glm.hpp>

#include <cstdint>
#include <string>

namespace ctview {

// HU as an int16 volume stores it: rounded half away from zero (as std::lround: 0.5 -> 1, -2.5 -> -3) and
// clamped to int16; NaN as -32768. With no libm call and no branch, so that hot loops (the resampler) inline
// and vectorise it. The one rounding rule for stored HU. Exact for every float: |f| + 0.5 is exact or rounds
// within one binade, except below 0.5, where 0.49999997 + 0.5 rounds up to 1 (the one float that
// int(a + 0.5f) alone gets wrong; checked against std::lround for every float in +-40000).
inline std::int16_t huToInt16(float hu) {
    // NaN fails both comparisons.
    const float f = hu > -32768.f ? (hu < 32767.f ? hu : 32767.f) : -32768.f;
    const float a = f < 0 ? -f : f;
    const int r = a < 0.5f ? 0 : int(a + 0.5f); // NOLINT(bugprone-incorrect-roundings): exact here, see above
    return std::int16_t(f < 0 ? -r : r);
}

enum class ScalarType { Int16, Float32 };

struct Geometry {
    glm::ivec3 dims{0};
    glm::dvec3 spacing{1.0};
    glm::dvec3 origin{0.0};
    glm::dmat3 direction{1.0};

    std::size_t sliceVoxels() const { return std::size_t(dims.x) * std::size_t(dims.y); } // one k plane
    std::size_t voxelCount() const { return sliceVoxels() * std::size_t(dims.z); }
    glm::dvec3 voxelToPatient(glm::dvec3 ijk) const { return origin + direction * (ijk * spacing); }
    // The linear part of voxelToPatient: its columns are one voxel's step along i, j and k in LPS mm.
    glm::dmat3 voxelSteps() const {
        return glm::dmat3(direction[0] * spacing.x, direction[1] * spacing.y, direction[2] * spacing.z);
    }
    // The inverse; exact for orthonormal directions, and for sheared raw stacks through the matrix inverse.
    glm::dvec3 patientToVoxel(glm::dvec3 lps) const {
        return glm::inverse(direction) * (lps - origin) / spacing;
    }
};

// A volume's grid and voxel type without its voxels: what `ctview convert` learns of a series whose planes
// went straight to the output file (LoadOptions::streamFd).
struct VolumeLayout {
    Geometry geometry;
    ScalarType type = ScalarType::Int16;
    int phases = 1; // a 4D file: this many volumes of `geometry`, one after the other (a 4th axis)
};

// LPS centre of the voxel box (the middle voxel centre): where the 3D camera looks, and the origin of the
// slice views' planes.
inline glm::dvec3 volumeCentre(const Geometry& g) {
    return g.voxelToPatient((glm::dvec3(g.dims) - 1.0) * 0.5);
}

class Volume {
  public:
    Volume() = default;
    // Zero-filled. By default in memory shared with forked decoders (see isolate.h); `Private` when only this
    // process fills it.
    Volume(const Geometry& g, ScalarType type,
           SharedBuffer::Sharing sharing = SharedBuffer::Sharing::Processes);

    const Geometry& geometry() const { return geometry_; }
    Geometry& geometry() { return geometry_; }
    ScalarType type() const { return type_; }
    std::size_t bytesPerVoxel() const { return type_ == ScalarType::Int16 ? 2 : 4; }
    std::size_t bytes() const { return geometry_.voxelCount() * bytesPerVoxel(); }
    bool empty() const { return geometry_.voxelCount() == 0; }

    void* data() const { return buffer_.data(); }
    const std::int16_t* int16Data() const { return static_cast<const std::int16_t*>(buffer_.data()); }
    const float* float32Data() const { return static_cast<const float*>(buffer_.data()); }

    std::size_t index(int i, int j, int k) const {
        return (std::size_t(k) * std::size_t(geometry_.dims.y) + std::size_t(j)) *
                   std::size_t(geometry_.dims.x) +
               std::size_t(i);
    }
    // HU at a voxel (no bounds check).
    float at(int i, int j, int k) const {
        const std::size_t n = index(i, j, k);
        return type_ == ScalarType::Int16 ? float(int16Data()[n]) : float32Data()[n];
    }
    void set(int i, int j, int k, float hu); // an int16 volume stores huToInt16(hu)

    // Smallest and largest HU over all voxels.
    std::pair<float, float> range() const;

    // The same voxels (not a copy), kept alive as long as either lives: what the viewer shows of a series
    // still being decoded into this volume (it reads only the slices the loader has reported done).
    Volume alias() const {
        Volume v;
        v.geometry_ = geometry_;
        v.type_ = type_;
        v.buffer_ = buffer_.share();
        return v;
    }

  private:
    Geometry geometry_;
    ScalarType type_ = ScalarType::Int16;
    SharedBuffer buffer_;
};

} // namespace ctview

#include "volume/volume.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ctview {

Volume::Volume(const Geometry& g, ScalarType type, SharedBuffer::Sharing sharing)
    : geometry_(g), type_(type), buffer_(g.voxelCount() * (type == ScalarType::Int16 ? 2 : 4), sharing) {}

void Volume::set(int i, int j, int k, float hu) {
    const std::size_t n = index(i, j, k);
    if (type_ == ScalarType::Int16)
        static_cast<std::int16_t*>(data())[n] = huToInt16(hu);
    else
        static_cast<float*>(data())[n] = hu;
}

std::pair<float, float> Volume::range() const {
    const std::size_t n = geometry_.voxelCount();
    if (n == 0)
        return {0.f, 0.f};
    if (type_ == ScalarType::Int16) {
        // A plain loop, which the compiler vectorises (std::minmax_element is not).
        const std::int16_t* v = int16Data();
        std::int16_t lo = v[0], hi = v[0];
        for (std::size_t i = 0; i < n; ++i) {
            const std::int16_t x = v[i];
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        return {float(lo), float(hi)};
    }
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (std::size_t i = 0; i < n; ++i) {
        lo = std::min(lo, float32Data()[i]);
        hi = std::max(hi, float32Data()[i]);
    }
    return {lo, hi};
}

} // namespace ctview

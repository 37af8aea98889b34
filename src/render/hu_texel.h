#pragma once
// The one HU <-> texel encoding of the volume texture, for the uploads, both renderers and the tests. int16
// HU go up as unsigned normalised 16-bit (GL_R16) with a +32768 offset: exactly representable, filterable,
// and converted the same way by every GL version (signed normalised conversion changed in GL 4.2). Float HU
// go up as GL_R32F unchanged. A shader reads texel t (R16: 0..1) and gets hu = t * scale + offset
// (uHuFromTexel).
#include "volume/volume.h"

#include <cstdint>

namespace ctview::gl {

struct HuTexel {
    float scale = 1, offset = 0;

    static HuTexel of(ScalarType t) {
        return t == ScalarType::Int16 ? HuTexel{65535.0f, -32768.0f} : HuTexel{};
    }
    // The R16 texel of an int16 HU value.
    static std::uint16_t encode(std::int16_t hu) { return std::uint16_t(int(hu) + 32768); }
    float hu(float texel) const { return texel * scale + offset; }
    // The texel value of `hu`, in the precision it is given in (brick bounds in float, windows in double).
    float texel(float hu) const { return (hu - offset) / scale; }
    float texel(double hu) const { return float((hu - offset) / scale); }
};

} // namespace ctview::gl

// Isosurface: the first crossing of the threshold along the ray, refined by bisection, in one colour.
#include "raymarch_runs.glsl"

vec4 march(Ray r, inout int budget) {
    // The first sample at or above the threshold; the crossing and its shading after the loop.
    float k = 0.0, kEnd = firstRunEnd(r);
    bool hit = false;
    for (; budget > 0 && k <= r.kLast && !hit; --budget) {
#ifdef SKIP
        if (k >= kEnd && !nextRun(r, k, kEnd)) continue;
#endif
        for (float kStop = min(kEnd, r.kLast + 1.0); k < kStop && budget > 0; k += 1.0, --budget) {
            if (textureLod(uVolume, r.o + (r.t0 + k * uStepMm) * r.d, 0.0).r >= uIsoTexel) {
                hit = true;
                break;
            }
        }
    }
    if (!hit) return vec4(0.0);
    // Bisect between the sample before (below the threshold: taken, or in a brick that does not reach it) and
    // this one for the crossing.
    float a = r.t0 + max(k - 1.0, 0.0) * uStepMm, z = r.t0 + k * uStepMm;
    for (int i = 0; i < 6; ++i) {
        float m = 0.5 * (a + z);
        if (textureLod(uVolume, r.o + m * r.d, 0.0).r >= uIsoTexel) z = m;
        else a = m;
    }
    vec3 color = uIsoColor;
#ifdef SHADING
    color = shade(color, gradientAt(r.o + z * r.d), r.toEye);
#endif
    return vec4(color, 1.0);
}

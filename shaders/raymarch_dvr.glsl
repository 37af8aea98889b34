// Composite (DVR): front to back through the transfer function, with early ray termination.
#include "raymarch_runs.glsl"

vec4 march(Ray r, inout int budget) {
    vec4 acc = vec4(0.0);
    // Samples are taken in runs, [k, kEnd), each inside a brick that may show something; between runs the ray
    // leaps over empty bricks.
    float k = 0.0, kEnd = firstRunEnd(r);
    for (;;) {
        // On to the next sample the transfer function does not make transparent.
        vec3 p;
        float v;
        vec4 c = vec4(0.0);
        for (; budget > 0 && k <= r.kLast; --budget) {
#ifdef SKIP
            if (k >= kEnd && !nextRun(r, k, kEnd)) continue;
#endif
            for (float kStop = min(kEnd, r.kLast + 1.0); k < kStop && budget > 0; k += 1.0, --budget) {
                p = r.o + (r.t0 + k * uStepMm) * r.d;
                v = textureLod(uVolume, p, 0.0).r;
                // The nearest of the table's 4096 entries (about 1 HU apart): cheaper than filtering, and as exact.
                // Outside the entries that have any opacity the sample is transparent without reading the table
                // (c keeps an alpha of 0: it would have left the loop otherwise); pictures are the same, bit for bit.
                float entry = v * uTfMap.x + uTfMap.y;
                if (entry >= uTfVisible.x && entry < uTfVisible.y) c = texelFetch(uTf, ivec2(entry, 0), 0);
#ifdef HIDE_OUTSIDE
                if (c.a > 0.0 && texelFetch(uExterior, clamp(ivec3(p * uBrickScale), ivec3(0), uBrickCount - 1), 0).r > 0.5)
                    c.a = 0.0;
#endif
                if (c.a > 0.0) break;
            }
            if (c.a > 0.0) break;
        }
        if (c.a <= 0.0) break; // left the box
#if defined(SHADING) || defined(GRADIENT_OPACITY)
        vec3 g = gradientAt(p);
#endif
#ifdef GRADIENT_OPACITY
        c.a *= smoothstep(uGradientOpacity.x, uGradientOpacity.y, length(g));
#endif
#ifdef SHADING
        c.rgb = shade(c.rgb, g, r.toEye);
#endif
        acc.rgb += (1.0 - acc.a) * c.a * c.rgb;
        acc.a += (1.0 - acc.a) * c.a;
        if (acc.a > uOpaque) break; // early ray termination: what lies behind adds at most 1 - uOpaque
        k += 1.0;
    }
    return acc;
}

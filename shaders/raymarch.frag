#version 410 core
// The 3D view: one ray per pixel through the HU volume, from where it enters the (cropped) box to where it
// leaves. One skeleton, specialised at compile time (no branches on the mode inside the loop):
//   MODE_DVR (composite, front to back), MODE_MIP, MODE_MINIP, MODE_AVG (projections), MODE_ISO (first hit);
//   SHADING (Blinn-Phong from the HU gradient), GRADIENT_OPACITY, SKIP (empty-space skipping over bricks),
//   HIDE_OUTSIDE (DVR: samples in bricks that touch the air outside the body are transparent).
// Distances along the ray are in mm of patient space; positions are texture coordinates of the volume.

uniform sampler3D uVolume;      // R16 (HU + 32768, normalised) or R32F (HU), linear filtering; read with
                                // textureLod(.., 0): the same texels, without the implicit derivatives that a
                                // software rasteriser computes for texture() (2-4 % of a frame on llvmpipe)
uniform sampler2D uTf;          // DVR/ISO: RGBA transfer function, opacity already corrected for uStepMm
uniform sampler2D uLut;         // projections: 256 x 1 colour map
uniform sampler3D uBricks;      // DVR/ISO: R8, bricks to the nearest that shows something; MIP/MINIP: RG32F texel min/max
uniform sampler3D uExterior;    // HIDE_OUTSIDE: R8 per brick, 1 where it touches the air outside the body
uniform mat4 uClipToLps;        // inverse(projection * view)
uniform mat4 uLpsToTex;         // patient mm -> texture coordinates
uniform mat3 uTexGradToLps;     // central texel differences along i, j, k -> HU/mm gradient in LPS
uniform vec4 uViewport;         // the target's x, y, width, height in framebuffer pixels
uniform vec3 uCropMin, uCropMax; // texture coordinates
uniform float uStepMm;
uniform vec3 uVoxel;            // one voxel in texture coordinates
uniform vec3 uBrickScale;       // bricks per texture unit (dims / brick size)
uniform ivec3 uBrickCount;
uniform vec2 uTfMap;            // texel value -> uTf entry (rounded): x * texel + y
uniform vec2 uTfVisible;        // entries [x, y) hold every opacity > 0 of uTf (x > y: none)
uniform vec2 uHuFromTexel;      // hu = texel * x + y
uniform vec2 uWindow;           // projections: width, centre in HU
uniform vec2 uWindowTexel;      // MIP/MinIP: the window's ends as texel values: all below x shows as x, above y as y
uniform float uIsoTexel;        // ISO: the threshold as a texel value
uniform vec3 uIsoColor;
uniform vec4 uLight;            // ambient, diffuse, specular, shininess
uniform vec2 uGradientOpacity;  // HU/mm: transparent below x, opaque above y
uniform vec3 uBackground;
uniform float uJitter;          // 1: start each ray at a per-pixel fraction of a step (no wood grain); 0: none

out vec4 fragColor;

#include "voi.glsl"

// Central differences, HU/mm in LPS. Six fetches, but only at the samples that show (the sampling loop pays
// nothing for them); forward differences (three) shift the gradient by half a voxel and stripe surfaces with
// the slices of a thick-slice series.
vec3 gradientAt(vec3 p) {
    vec3 g = vec3(textureLod(uVolume, p + vec3(uVoxel.x, 0.0, 0.0), 0.0).r - textureLod(uVolume, p - vec3(uVoxel.x, 0.0, 0.0), 0.0).r,
                  textureLod(uVolume, p + vec3(0.0, uVoxel.y, 0.0), 0.0).r - textureLod(uVolume, p - vec3(0.0, uVoxel.y, 0.0), 0.0).r,
                  textureLod(uVolume, p + vec3(0.0, 0.0, uVoxel.z), 0.0).r - textureLod(uVolume, p - vec3(0.0, 0.0, uVoxel.z), 0.0).r);
    return uTexGradToLps * g;
}

// Blinn-Phong with a headlight (light and half vector along the view), lit from whichever side faces the viewer.
vec3 shade(vec3 color, vec3 g, vec3 toEye) {
    float len = length(g);
    if (len < 1e-3) return color * (uLight.x + uLight.y); // homogeneous: no surface to light
    vec3 n = -g / len;                                    // outward: from high HU to low
    float ndv = dot(n, toEye);
    ndv = abs(ndv);
    return color * (uLight.x + uLight.y * ndv) + vec3(uLight.z * pow(ndv, uLight.w));
}

#ifdef SKIP
#if defined(MODE_DVR) || defined(MODE_ISO)
// From sample k (t0 + k * step), a brick that shows nothing or the next run of samples. Each brick holds the
// distance (in bricks, the largest of the index differences) to the nearest brick that shows something: 0 for
// one that may, else the cube of bricks closer than that is empty. Leaps out of that whole cube (k moves past it,
// false), or sets kEnd to the first sample past this brick (true): [k, kEnd) are to be taken. Reads one brick
// texel and nothing of the volume.
bool nextRun(vec3 o, vec3 d, vec3 inv, float t0, inout float k, out float kEnd) {
    ivec3 b = clamp(ivec3((o + (t0 + k * uStepMm) * d) * uBrickScale), ivec3(0), uBrickCount - 1);
    float reach = floor(texelFetch(uBricks, b, 0).r * 255.0 + 0.5);
    vec3 lo = vec3(b) - max(reach - 1.0, 0.0), hi = vec3(b) + max(reach, 1.0);
    vec3 te = (mix(lo, hi, greaterThan(d, vec3(0.0))) / uBrickScale - o) * inv;
    kEnd = max(k + 1.0, ceil((min(min(te.x, te.y), te.z) - t0) / uStepMm));
    if (reach < 0.5) return true;
    k = kEnd;
    return false;
}
#else
// One step of a 3D DDA over the brick grid: into the brick across the face (or faces) the ray leaves `b` by
// first; tMax holds the ray parameter at which it crosses the next face along each axis. False past the grid.
bool nextBrick(inout ivec3 b, inout vec3 tMax, ivec3 stepB, vec3 tDelta) {
    bvec3 m = lessThanEqual(tMax, min(tMax.yzx, tMax.zxy));
    b += ivec3(m) * stepB;
    tMax += vec3(m) * tDelta;
    return all(greaterThanEqual(b, ivec3(0))) && all(lessThan(b, uBrickCount));
}
#if defined(MODE_MIP)
#define SKIPPED(info) (info.g <= best) /* nothing in it beats what the ray has (or surely will have) */
#define SATURATED (best > uWindowTexel.y) /* all above the window shows alike */
#elif defined(MODE_MINIP)
#define SKIPPED(info) (info.r >= best)
#define SATURATED (best <= uWindowTexel.x)
#endif
#endif
#endif

#if defined(MODE_MIP) || defined(MODE_MINIP)
#if defined(MODE_MIP)
#define EXTREME(a, b) max(a, b)
#else
#define EXTREME(a, b) min(a, b)
#endif
// The largest (MinIP: smallest) of `best` and samples k in [kFrom, kTo) at t0 + k * step, in a loop that does
// nothing else; each sample takes one from the ray's budget.
float extremeOver(float best, vec3 o, vec3 d, float t0, float kFrom, float kTo, inout int budget) {
    for (float k = kFrom; k < kTo && budget > 0; k += 1.0, --budget)
        best = EXTREME(best, textureLod(uVolume, o + (t0 + k * uStepMm) * d, 0.0).r);
    return best;
}
#endif

void main() {
    vec2 ndc = (gl_FragCoord.xy - uViewport.xy) / uViewport.zw * 2.0 - 1.0;
    vec4 n4 = uClipToLps * vec4(ndc, -1.0, 1.0), f4 = uClipToLps * vec4(ndc, 1.0, 1.0);
    vec3 nearLps = n4.xyz / n4.w, farLps = f4.xyz / f4.w;
    vec3 dirLps = normalize(farLps - nearLps);
    vec3 o = (uLpsToTex * vec4(nearLps, 1.0)).xyz;
    vec3 d = mat3(uLpsToTex) * dirLps; // texture units per mm
    d = mix(d, vec3(1e-9), lessThan(abs(d), vec3(1e-9)));
    vec3 inv = 1.0 / d;
    vec3 ta = (uCropMin - o) * inv, tb = (uCropMax - o) * inv;
    vec3 tlo = min(ta, tb), thi = max(ta, tb);
    float tNear = max(max(tlo.x, tlo.y), max(tlo.z, 0.0));
    float tFar = min(min(thi.x, thi.y), min(thi.z, length(farLps - nearLps)));
    if (tNear >= tFar) {
        fragColor = vec4(uBackground, 1.0);
        return;
    }
    // Interleaved gradient noise: a fixed per-pixel pattern, so that renders are deterministic.
    float jitter = uJitter * fract(52.9829189 * fract(dot(gl_FragCoord.xy, vec2(0.06711056, 0.00583715))));
    float t = tNear + jitter * uStepMm;
    vec3 toEye = -dirLps;

#if defined(MODE_DVR) || defined(MODE_ISO)
    vec4 acc = vec4(0.0);
#elif defined(MODE_MIP)
    // Whatever lies at or below the window's lower end shows as black, so the ray's maximum need not be known
    // below it: the floor lets the walk skip every brick that cannot reach into the window. (MinIP: the ceiling.)
    float best = uWindowTexel.x;
#define EXTREME_START -1e30
#elif defined(MODE_MINIP)
    float best = uWindowTexel.y;
#define EXTREME_START 1e30
#elif defined(MODE_AVG)
    float sum = 0.0;
    float count = 0.0;
#endif
    // The loops are nested by cost. A software rasteriser (llvmpipe) runs a shader on 8 pixels at once and
    // executes every statement of a loop body for all of them, masked, whether or not any pixel needs it; so each
    // loop holds only what its own iterations need: walking over skipped bricks reads one brick texel, sampling
    // reads the volume and the transfer function, and only a visible sample pays for its gradient.
    int budget = 100000; // a guard against a ray that never ends (NaN matrices); far more than any ray takes
#if defined(MODE_DVR) || defined(MODE_ISO)
    // Samples are numbered from the ray's first: sample k lies at t0 + k * step. The samples are taken in runs,
    // [k, kEnd), each inside a brick that may show something; between runs the ray leaps over empty bricks.
    float t0 = t, k = 0.0, kEnd = 0.0, kLast = floor((tFar - t0) / uStepMm);
#ifndef SKIP
    kEnd = kLast + 1.0; // one run: the whole ray
#endif
#endif
#if defined(MODE_DVR)
    for (;;) {
        // On to the next sample the transfer function does not make transparent.
        vec3 p;
        float v;
        vec4 c = vec4(0.0);
        for (; budget > 0 && k <= kLast; --budget) {
#ifdef SKIP
            if (k >= kEnd && !nextRun(o, d, inv, t0, k, kEnd)) continue;
#endif
            for (float kStop = min(kEnd, kLast + 1.0); k < kStop && budget > 0; k += 1.0, --budget) {
                p = o + (t0 + k * uStepMm) * d;
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
        c.rgb = shade(c.rgb, g, toEye);
#endif
        acc.rgb += (1.0 - acc.a) * c.a * c.rgb;
        acc.a += (1.0 - acc.a) * c.a;
        if (acc.a > 0.99) break; // early ray termination: what lies behind cannot show
        k += 1.0;
    }
#elif defined(MODE_ISO)
    // The first sample at or above the threshold; the crossing and its shading after the loop.
    bool hit = false;
    for (; budget > 0 && k <= kLast && !hit; --budget) {
#ifdef SKIP
        if (k >= kEnd && !nextRun(o, d, inv, t0, k, kEnd)) continue;
#endif
        for (float kStop = min(kEnd, kLast + 1.0); k < kStop && budget > 0; k += 1.0, --budget) {
            if (textureLod(uVolume, o + (t0 + k * uStepMm) * d, 0.0).r >= uIsoTexel) {
                hit = true;
                break;
            }
        }
    }
    if (hit) {
        // Bisect between the sample before (below the threshold: taken, or in a brick that does not reach it)
        // and this one for the crossing.
        float a = t0 + max(k - 1.0, 0.0) * uStepMm, z = t0 + k * uStepMm;
        for (int i = 0; i < 6; ++i) {
            float m = 0.5 * (a + z);
            if (textureLod(uVolume, o + m * d, 0.0).r >= uIsoTexel) z = m;
            else a = m;
        }
        vec3 color = uIsoColor;
#ifdef SHADING
        vec3 ph = o + z * d;
        color = shade(color, gradientAt(ph), toEye);
#endif
        acc = vec4(color, 1.0);
    }
#elif defined(MODE_MIP) || defined(MODE_MINIP)
    // Samples are numbered from the ray's first: sample k lies at t0 + k * step.
    float t0 = t, kLast = floor((tFar - t0) / uStepMm);
#ifdef SKIP
    // Bricks are walked cell by cell (3D DDA over the brick grid): each is crossed over [tIn, tOut) and owns the
    // samples k with tIn <= t0 + k * step < tOut, so that every sample belongs to exactly one brick.
    vec3 q = (o + tNear * d) * uBrickScale, dB = d * uBrickScale; // brick units, per mm
    ivec3 b0 = clamp(ivec3(q), ivec3(0), uBrickCount - 1), stepB = ivec3(sign(dB));
    vec3 tDelta = abs(1.0 / dB), tMax0 = tNear + (vec3(b0) + step(0.0, dB) - q) / dB;

    // A first walk over the bricks alone, for two things. A floor: every sample inside a brick is at least its
    // minimum (which covers the voxels trilinear filtering reads there), so the largest minimum of the bricks
    // that own a sample of this ray is a floor for its maximum. And the brick with the largest maximum: sampled
    // first, it raises the floor to near the ray's maximum at once, so that the sampling walk skips every brick
    // that cannot exceed it. (MinIP: the same with maxima and minima exchanged.)
    ivec3 topBrick = ivec3(-1);
    float top = EXTREME_START, topIn = 0.0, topOut = 0.0;
    {
        ivec3 bb = b0;
        vec3 tm = tMax0;
        float tIn = tNear;
        for (; budget > 0 && tIn < tFar; --budget) {
            float tOut = min(min(tm.x, tm.y), min(tm.z, tFar));
            vec4 info = texelFetch(uBricks, bb, 0);
            bool owns = ceil((tIn - t0) / uStepMm) < ceil((tOut - t0) / uStepMm) || tOut >= tFar;
#if defined(MODE_MIP)
            if (owns) best = max(best, info.r);
            if (info.g > top) {
                top = info.g;
#else
            if (owns) best = min(best, info.g);
            if (info.r < top) {
                top = info.r;
#endif
                topBrick = bb;
                topIn = tIn;
                topOut = tOut;
            }
            tIn = tOut;
            if (!nextBrick(bb, tm, stepB, tDelta)) break;
        }
    }
    // The top brick's samples, and one more either side (the walk below leaves exactly its samples out).
    best = extremeOver(best, o, d, t0, max(0.0, ceil((topIn - t0) / uStepMm) - 1.0),
                       min(ceil((topOut - t0) / uStepMm), kLast) + 1.0, budget);

    ivec3 bb = b0;
    vec3 tm = tMax0;
    float tIn = tNear;
    // Once past the window's end, the rest of the ray cannot change the pixel.
    for (; budget > 0 && tIn < tFar && !SATURATED; --budget) {
        float tOut = min(min(tm.x, tm.y), min(tm.z, tFar));
        if (bb != topBrick && !SKIPPED(texelFetch(uBricks, bb, 0))) {
            // The brick's run of samples.
            best = extremeOver(best, o, d, t0, max(0.0, ceil((tIn - t0) / uStepMm)),
                               tOut >= tFar ? kLast + 1.0 : ceil((tOut - t0) / uStepMm), budget);
        }
        tIn = tOut;
        if (!nextBrick(bb, tm, stepB, tDelta)) break;
    }
#else
    best = extremeOver(best, o, d, t0, 0.0, kLast + 1.0, budget);
#endif
#else
    for (; budget > 0; --budget) {
        if (t > tFar) break;
        sum += textureLod(uVolume, o + t * d, 0.0).r;
        count += 1.0;
        t += uStepMm;
    }
#endif

#if defined(MODE_DVR) || defined(MODE_ISO)
    fragColor = vec4(acc.rgb + (1.0 - acc.a) * uBackground, 1.0);
#else
#if defined(MODE_AVG)
    float value = count > 0.0 ? sum / count : 0.0;
    bool hit = count > 0.0;
#else
    float value = best;
    bool hit = kLast >= 0.0; // at least one sample
#endif
    if (!hit) {
        fragColor = vec4(uBackground, 1.0);
        return;
    }
    float hu = value * uHuFromTexel.x + uHuFromTexel.y;
    int index = clamp(int(floor(voi(hu, uWindow.x, uWindow.y) * 255.0 + 0.5)), 0, 255);
    fragColor = vec4(texelFetch(uLut, ivec2(index, 0), 0).rgb, 1.0);
#endif
}

#version 410 core
// The 3D view: one ray per pixel through the HU volume, from where it enters the (cropped) box to where it
// leaves. One skeleton, specialised at compile time (no branches on the mode inside the loop):
//   MODE_DVR (composite, front to back), MODE_MIP, MODE_MINIP, MODE_AVG (projections), MODE_ISO (first hit);
//   SHADING (Blinn-Phong from the HU gradient), GRADIENT_OPACITY, SKIP (empty-space skipping over bricks).
// Distances along the ray are in mm of patient space; positions are texture coordinates of the volume.

uniform sampler3D uVolume;      // R16 (HU + 32768, normalised) or R32F (HU), linear filtering
uniform sampler2D uTf;          // DVR/ISO: RGBA transfer function, opacity already corrected for uStepMm
uniform sampler2D uLut;         // projections: 256 x 1 colour map
uniform sampler3D uBricks;      // DVR/ISO: R8, 1 = something visible in the brick; MIP/MINIP: RG32F texel min/max
uniform mat4 uClipToLps;        // inverse(projection * view)
uniform mat4 uLpsToTex;         // patient mm -> texture coordinates
uniform mat3 uTexGradToLps;     // texel differences along i, j, k -> HU/mm gradient in LPS
uniform vec4 uViewport;         // the target's x, y, width, height in framebuffer pixels
uniform vec3 uCropMin, uCropMax; // texture coordinates
uniform float uStepMm;
uniform vec3 uVoxel;            // one voxel in texture coordinates
uniform vec3 uBrickScale;       // bricks per texture unit (dims / brick size)
uniform ivec3 uBrickCount;
uniform vec2 uTfMap;            // texel value -> uTf entry (rounded): x * texel + y
uniform float uTfMap2;          // the last entry
uniform vec2 uHuFromTexel;      // hu = texel * x + y
uniform vec2 uWindow;           // projections: width, centre in HU
uniform float uIsoTexel;        // ISO: the threshold as a texel value
uniform vec3 uIsoColor;
uniform vec4 uLight;            // ambient, diffuse, specular, shininess
uniform vec2 uGradientOpacity;  // HU/mm: transparent below x, opaque above y
uniform vec3 uBackground;
uniform float uJitter;          // 1: start each ray at a per-pixel fraction of a step (no wood grain); 0: none

out vec4 fragColor;

float voi(float hu, float width, float centre) { // DICOM PS3.3 C.11.2.1.2.1, as WindowLevel::apply
    float w = max(width, 1.0);
    if (hu <= centre - 0.5 - (w - 1.0) / 2.0) return 0.0;
    if (hu > centre - 0.5 + (w - 1.0) / 2.0) return 1.0;
    return (hu - (centre - 0.5)) / (w - 1.0) + 0.5;
}

// Forward differences from the sample already taken: three fetches instead of central differences' six, which
// on a software rasteriser is most of the cost of shading. HU/mm in LPS.
vec3 gradientAt(vec3 p, float v) {
    vec3 g = vec3(texture(uVolume, p + vec3(uVoxel.x, 0.0, 0.0)).r, texture(uVolume, p + vec3(0.0, uVoxel.y, 0.0)).r,
                  texture(uVolume, p + vec3(0.0, 0.0, uVoxel.z)).r) - v;
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
    float best = -1e30;
#elif defined(MODE_MINIP)
    float best = 1e30;
#elif defined(MODE_AVG)
    float sum = 0.0;
    float count = 0.0;
#endif
#ifdef SKIP
    ivec3 brick = ivec3(-1);
    bool skip = false;
#if defined(MODE_MIP) || defined(MODE_MINIP)
    // A cheap first walk over the bricks alone: every sample inside a brick is at least its minimum (the minimum
    // covers the voxels trilinear filtering reads there), so the largest minimum of the bricks this ray samples is
    // a floor for its maximum. Starting from it, the sampling walk skips every brick that cannot exceed it, which
    // in a CT is everything but bone and contrast. Only bricks the ray crosses for at least one step count, so
    // that a sample surely lies in them. (MinIP: the same with maxima and a ceiling.)
    for (float tb = tNear; tb < tFar;) {
        vec3 pb = o + (tb + 1e-4 * uStepMm) * d;
        ivec3 b = clamp(ivec3(pb * uBrickScale), ivec3(0), uBrickCount - 1);
        vec3 lo = vec3(b) / uBrickScale, hi = vec3(b + 1) / uBrickScale;
        vec3 te = (mix(lo, hi, greaterThan(d, vec3(0.0))) - o) * inv;
        float tExit = min(min(min(te.x, te.y), te.z), tFar);
        if (tExit - tb >= uStepMm) {
            vec4 info = texelFetch(uBricks, b, 0);
#if defined(MODE_MIP)
            best = max(best, info.r);
#else
            best = min(best, info.g);
#endif
        }
        tb = max(tExit, tb + 1e-3 * uStepMm);
    }
#endif
#endif
#ifdef MODE_ISO
    float tPrev = t;
#endif

    for (int n = 0; n < 100000 && t <= tFar; ++n) {
        vec3 p = o + t * d;
#ifdef SKIP
        ivec3 b = clamp(ivec3(p * uBrickScale), ivec3(0), uBrickCount - 1);
        if (b != brick) {
            brick = b;
            vec4 info = texelFetch(uBricks, b, 0);
#if defined(MODE_DVR) || defined(MODE_ISO)
            skip = info.r < 0.5;
#elif defined(MODE_MIP)
            skip = info.g <= best; // nothing in this brick beats what the ray has (or surely will have)
#elif defined(MODE_MINIP)
            skip = info.r >= best;
#endif
        }
        if (skip) {
            // On to the first sample of this ray's step grid past the brick's far side.
            vec3 lo = vec3(b) / uBrickScale, hi = vec3(b + 1) / uBrickScale;
            vec3 te = (mix(lo, hi, greaterThan(d, vec3(0.0))) - o) * inv;
            float tExit = min(min(te.x, te.y), te.z);
            t += max(1.0, ceil((tExit - t) / uStepMm)) * uStepMm;
            continue;
        }
#endif
        float v = texture(uVolume, p).r;
#if defined(MODE_DVR)
        // The nearest of the table's 4096 entries (about 1 HU apart): cheaper than filtering, and as exact.
        vec4 c = texelFetch(uTf, ivec2(clamp(v * uTfMap.x + uTfMap.y, 0.0, uTfMap2), 0), 0);
        if (c.a > 0.0) {
#if defined(SHADING) || defined(GRADIENT_OPACITY)
            vec3 g = gradientAt(p, v);
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
        }
#elif defined(MODE_ISO)
        if (v >= uIsoTexel) {
            // Bisect between the previous sample (below the threshold) and this one for the crossing.
            float a = tPrev, z = t;
            for (int i = 0; i < 6; ++i) {
                float m = 0.5 * (a + z);
                if (texture(uVolume, o + m * d).r >= uIsoTexel) z = m;
                else a = m;
            }
            vec3 color = uIsoColor;
#ifdef SHADING
            vec3 ph = o + z * d;
            color = shade(color, gradientAt(ph, texture(uVolume, ph).r), toEye);
#endif
            acc = vec4(color, 1.0);
            break;
        }
        tPrev = t;
#elif defined(MODE_MIP)
        best = max(best, v);
#elif defined(MODE_MINIP)
        best = min(best, v);
#elif defined(MODE_AVG)
        sum += v;
        count += 1.0;
#endif
        t += uStepMm;
    }

#if defined(MODE_DVR) || defined(MODE_ISO)
    fragColor = vec4(acc.rgb + (1.0 - acc.a) * uBackground, 1.0);
#else
#if defined(MODE_AVG)
    float value = count > 0.0 ? sum / count : 0.0;
    bool hit = count > 0.0;
#elif defined(MODE_MIP)
    float value = best;
    bool hit = best > -1e29;
#else
    float value = best;
    bool hit = best < 1e29;
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

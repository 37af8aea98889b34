// MIP (MODE_MIP) and MinIP (MODE_MINIP): the largest (smallest) value along the ray, through the window and the
// colour map. With SKIP the ray walks the bricks cell by cell and samples only those whose min/max can still
// change the result.
#if defined(MODE_MIP)
#define EXTREME(a, b) max(a, b)
#define EXTREME_START -1e30
#else
#define EXTREME(a, b) min(a, b)
#define EXTREME_START 1e30
#endif

// The largest (MinIP: smallest) of `best` and samples k in [kFrom, kTo), in a loop that does nothing else; each
// sample takes one from the ray's budget.
float extremeOver(float best, Ray r, float kFrom, float kTo, inout int budget) {
    for (float k = kFrom; k < kTo && budget > 0; k += 1.0, --budget)
        best = EXTREME(best, textureLod(uVolume, r.o + (r.t0 + k * uStepMm) * r.d, 0.0).r);
    return best;
}

#ifdef SKIP
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
#else
#define SKIPPED(info) (info.r >= best)
#define SATURATED (best <= uWindowTexel.x)
#endif
#endif

vec4 march(Ray r, inout int budget) {
    // Whatever lies at or below the window's lower end shows as black, so the ray's maximum need not be known
    // below it: the floor lets the walk skip every brick that cannot reach into the window. (MinIP: the ceiling.)
#if defined(MODE_MIP)
    float best = uWindowTexel.x;
#else
    float best = uWindowTexel.y;
#endif
#ifdef SKIP
    // Bricks are walked cell by cell (3D DDA over the brick grid): each is crossed over [tIn, tOut) and owns the
    // samples k with tIn <= t0 + k * step < tOut, so that every sample belongs to exactly one brick.
    vec3 q = (r.o + r.tNear * r.d) * uBrickScale, dB = r.d * uBrickScale; // brick units, per mm
    ivec3 b0 = clamp(ivec3(q), ivec3(0), uBrickCount - 1), stepB = ivec3(sign(dB));
    vec3 tDelta = abs(1.0 / dB), tMax0 = r.tNear + (vec3(b0) + step(0.0, dB) - q) / dB;

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
        float tIn = r.tNear;
        for (; budget > 0 && tIn < r.tFar; --budget) {
            float tOut = min(min(tm.x, tm.y), min(tm.z, r.tFar));
            vec4 info = texelFetch(uBricks, bb, 0);
            bool owns = ceil((tIn - r.t0) / uStepMm) < ceil((tOut - r.t0) / uStepMm) || tOut >= r.tFar;
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
    best = extremeOver(best, r, max(0.0, ceil((topIn - r.t0) / uStepMm) - 1.0),
                       min(ceil((topOut - r.t0) / uStepMm), r.kLast) + 1.0, budget);

    ivec3 bb = b0;
    vec3 tm = tMax0;
    float tIn = r.tNear;
    // Once past the window's end, the rest of the ray cannot change the pixel.
    for (; budget > 0 && tIn < r.tFar && !SATURATED; --budget) {
        float tOut = min(min(tm.x, tm.y), min(tm.z, r.tFar));
        if (bb != topBrick && !SKIPPED(texelFetch(uBricks, bb, 0))) {
            // The brick's run of samples.
            best = extremeOver(best, r, max(0.0, ceil((tIn - r.t0) / uStepMm)),
                               tOut >= r.tFar ? r.kLast + 1.0 : ceil((tOut - r.t0) / uStepMm), budget);
        }
        tIn = tOut;
        if (!nextBrick(bb, tm, stepB, tDelta)) break;
    }
#else
    best = extremeOver(best, r, 0.0, r.kLast + 1.0, budget);
#endif
    return r.kLast >= 0.0 ? projected(best) : vec4(0.0); // at least one sample
}

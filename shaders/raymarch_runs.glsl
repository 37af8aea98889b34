// For the bodies that sample in runs (composite, isosurface): with SKIP, the walk from one run of samples to
// the next over the bricks that show nothing.
// The loops are nested by cost. A software rasteriser (llvmpipe) runs a shader on 8 pixels at once and executes
// every statement of a loop body for all of them, masked, whether or not any pixel needs it; so each loop holds
// only what its own iterations need: walking over skipped bricks reads one brick texel, sampling reads the volume
// (and the transfer function), and only a visible sample pays for its gradient.
#ifdef SKIP
// From sample k (t0 + k * step), a brick that shows nothing or the next run of samples. Each brick holds the
// distance (in bricks, the largest of the index differences) to the nearest brick that shows something: 0 for
// one that may, else the cube of bricks closer than that is empty. Leaps out of that whole cube (k moves past it,
// false), or sets kEnd to the first sample past this brick (true): [k, kEnd) are to be taken. Reads one brick
// texel and nothing of the volume.
bool nextRun(Ray r, inout float k, out float kEnd) {
    ivec3 b = clamp(ivec3((r.o + (r.t0 + k * uStepMm) * r.d) * uBrickScale), ivec3(0), uBrickCount - 1);
    float reach = floor(texelFetch(uBricks, b, 0).r * 255.0 + 0.5);
    vec3 lo = vec3(b) - max(reach - 1.0, 0.0), hi = vec3(b) + max(reach, 1.0);
    vec3 te = (mix(lo, hi, greaterThan(r.d, vec3(0.0))) / uBrickScale - r.o) * r.inv;
    kEnd = max(k + 1.0, ceil((min(min(te.x, te.y), te.z) - r.t0) / uStepMm));
    if (reach < 0.5) return true;
    k = kEnd;
    return false;
}
#endif

// The end of the first run: without SKIP, one run that is the whole ray.
float firstRunEnd(Ray r) {
#ifdef SKIP
    return 0.0;
#else
    return r.kLast + 1.0;
#endif
}

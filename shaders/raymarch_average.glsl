// Average (X-ray like): the mean of the samples along the ray, through the window and the colour map.

vec4 march(Ray r, inout int budget) {
    float sum = 0.0;
    float count = 0.0;
    float t = r.t0;
    for (; budget > 0; --budget) {
        if (t > r.tFar) break;
        sum += textureLod(uVolume, r.o + t * r.d, 0.0).r;
        count += 1.0;
        t += uStepMm;
    }
    return count > 0.0 ? projected(sum / count) : vec4(0.0);
}

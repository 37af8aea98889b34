#pragma once
// The stack planner: ordering the planes of a series and deriving an honest volume geometry from their
// positions (the step measured, gaps, uneven spacing and tilt found, and the grid to resample onto).
#include "dicom/dicom_scan.h"
#include "volume/volume.h"

#include <string>
#include <vector>

namespace ctview {

// One plane of a series: frame `frame` of file `file` (an index into the scan's file list).
struct PlaneRef {
    std::size_t file = 0;
    FrameHeader header;
    int instanceNumber = 0;
};

struct StackPlan {
    std::vector<std::size_t> order; // indices into the planes, in stacking order, duplicates removed
    std::vector<double> distances;  // each ordered plane's position along the slice normal, mm
    Geometry raw;                   // the stack as acquired (k axis: the mean stacking vector, maybe sheared)
    Geometry grid;                  // what the volume will be: `raw`, or a regular grid when resampling
    bool resample = false;          // the planes are decoded into `raw` and resampled onto `grid`
    bool irregular = false;         // tilted, unevenly spaced or with gaps (resampled unless that is off)
    bool orderedByInstance = false; // positions missing: InstanceNumber order, approximate geometry
    double measuredStep = 0;        // median distance between neighbouring planes, mm
    double minStep = 0, maxStep = 0;
    double tiltDegrees = 0; // angle between the stacking direction and the slice normal
    bool uneven = false;    // steps other than the usual one (and not its multiples: those are gaps)
    bool twoSteps = false;  // ... and exactly two step sizes (minStep and maxStep), as a GE head's 4 and 7 mm
    int duplicates = 0, missing = 0;
    std::vector<std::string> warnings;
};

// The unit normal of a frame's plane: row cosine x column cosine (ImageOrientationPatient, 0020,0037), LPS;
// +z when the cosines are degenerate.
glm::dvec3 sliceNormal(const FrameHeader& f);

// Sort by ImagePositionPatient projected on the slice normal (row cosine x column cosine), measure the
// step from the positions (never SliceThickness), and detect duplicates, gaps, uneven spacing and gantry
// tilt. With `allowResample`, an irregular stack is planned for resampling onto a regular grid in patient
// space.
StackPlan planStack(const std::vector<PlaneRef>& planes, bool allowResample, double gantryTiltTag);

// A resampled grid (plan.grid, its in-plane size already the planes' columns and rows) grown in-plane to hold
// every acquired pixel of every plane: a tilted stack's later planes are shifted off the first one's field of
// view. Grown by whole voxels on the first plane's pixel lattice, so that an untilted plane still samples
// exactly.
void growGridToPlanes(StackPlan& plan, const std::vector<PlaneRef>& planes);

// What resampling did, in one sentence for every place that says it (the load's warnings, `info`, the
// window's banner and title, whose short form is what precedes the colon): why ("uneven spacing (4.0 and 7.0
// mm)", "2 slices missing", "gantry tilt 12.0°"), the grid ("resampled to 4.0 mm"), and how many of the
// displayed slices hold no acquired plane. With resampling off, the same reasons and that positions between
// the acquired slices are approximate. Empty for a regular stack.
std::string resampleSummary(const StackPlan& plan, std::size_t interpolated, int displayed);

// Resample the raw stack (planes in plan order) onto plan.grid: bilinear within each acquired plane, linear
// between the two planes that bracket a point along the normal. Points outside the acquired data get `fill`.
void resampleStack(const Volume& raw, const StackPlan& plan, const std::vector<PlaneRef>& planes, Volume& out,
                   float fill);

} // namespace ctview

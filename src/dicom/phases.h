#pragma once
// The phases of a 4D series: planes that share positions, told apart by a temporal attribute
// (kTemporalKeys: TemporalPositionIdentifier, TriggerTime, NominalPercentageOfCardiacPhase,
// AcquisitionNumber, AcquisitionTime, ContentTime, in that order). Each phase is then a series of its own to
// the stack planner: one volume per phase, every phase on the same positions.
#include "dicom/stack_plan.h"

#include <string>
#include <vector>

namespace ctview {

struct Phase {
    std::vector<std::size_t> planes; // indices into the series' planes
    double value = 0;                // its key's value (the mean of its planes' for a time taken by rank)
    std::size_t positions = 0;       // the positions it has a plane at
};

struct PhaseSplit {
    int key = -1; // index into kTemporalKeys; -1: one phase (no temporal difference, or no shared position)
    std::vector<Phase> phases; // in time order; empty when key is -1
    std::size_t positions = 0; // distinct positions of the whole series
};

// Groups the planes into phases when several share a position and a temporal key differs between them at
// every position. Planes at one position with no temporal difference are true duplicates: no split (the
// stack planner keeps the first of each and says so).
PhaseSplit splitPhases(const std::vector<PlaneRef>& planes);

// A phase's value as `info` shows it: "200 ms", "40 %", "3", "12:30:05.25".
std::string phaseValueText(int key, double value);

} // namespace ctview

#pragma once
// The subcommands of the ctview binary. Each returns the process exit code; errors are thrown as
// ctview::DataError (exit 1) or ctview::UsageError (exit 2) and reported by main().
#include "base/archive.h"
#include "sources/series.h"
#include "volume/camera3d.h"
#include "volume/slice.h"

#include <memory>
#include <utility>

#include <cmath>
#include <string>
#include <vector>

namespace ctview {
struct AnonymizeOptions; // dicom/anonymize.h
}
namespace ctview::viewer {
struct AppState;
}

namespace ctview::app {

struct CommonOptions {
    std::string input;
    std::string series;
    int phase = 0; // --phase N: a 4D series' phase (1-based); 0: the first (convert: every phase)
    bool noResample = false;
    bool quiet = false;
    int workers = 0;
    std::vector<std::string> labels; // --labels FILE...: segmentations to open on the series
    DimseOptions dimse;              // --aet, --retrieve, --scp-port: meeting a DIMSE archive (dicom://)
};

struct InfoOptions {
    bool json = false;
    bool tags = false;
    // Filters of a DICOMweb root's study list (QIDO-RS): DICOM matching, '*' wildcards, dates
    // YYYYMMDD[-YYYYMMDD].
    StudyQuery studies;
};

struct ExportOptions {
    std::string axis = "axial";
    std::string slice = "middle"; // a slice number (from 1), "middle", or "all"
    std::string window = "file";
    std::string colormap = "grayscale";
    bool invert = false;
    std::string formats = "png";
    std::string outDir = ".";
    bool force = false;
    double slab = 0; // mm; 0: thin
    std::string slabMode = "mip";
    double fps = 10;         // --format mp4|gif: frames a second
    bool overPhases = false; // --over phases: a movie of one slice over the phases of a 4D series
    // Oblique MPR, as snapshot's --turn: the slices of the turned view, numbered along its normal.
    std::string turn;
    bool linear = true; // a turned view's samples: trilinear (as the window), else the nearest voxel
};

struct ConvertOptions {
    std::string output;
    bool force = false;
    std::string segment; // --segment NAME: that segment's mask (of a --labels layer) instead of the HU volume
};

struct RegisterOptions {
    std::string moving;       // the series to bring onto the input (a folder, file or URL)
    std::string movingSeries; // --moving-series: which of its series
    std::string shift;        // --fuse-shift X,Y,Z: where to start from (the moving series moved by it)
    bool json = false;
};

struct MeasureOptions {
    std::string annotations; // the annotation file (measure/measure.h's format)
    bool json = false;
    bool overPhases =
        false; // --over phases: each ROI and point at every phase of a 4D series (a time-density curve)
};

struct SegmentsOptions {
    bool json = false;
};

// How `segment` and `surface` pick voxels of the series (issue 28's tools, from the command line): a
// threshold, then the islands tools (app/voxel_pick.h).
struct PickOptions {
    std::string threshold;     // "LO[,HI]" HU (HI: the series' maximum)
    std::string seed;          // "X,Y,Z" LPS mm: keep (grow) the part connected to it
    bool largest = false;      // keep the largest part
    std::size_t minIsland = 0; // remove parts smaller than this many voxels
    int connectivity = 6;      // 6 (faces) or 26 (faces, edges, corners)
};

// `ctview segment`: a segment made from the series, written as a labelmap.
struct SegmentOptions {
    PickOptions pick;
    double closeMm = 0;  // then fill gaps and holes: grow by this margin, shrink back (edit/morphology.h)
    double medianMm = 0; // then median smoothing with a kernel of this size
    std::string name = "Segment";
    std::string output; // .nii.gz, .nii, .nrrd (+ a label table beside it), or 3D Slicer's .seg.nrrd
    bool force = false;
};

// `ctview surface`: the surface of a threshold (at its sub-voxel crossing) or of a segment, as a mesh file.
struct SurfaceOptions {
    PickOptions pick;    // the threshold, or islands of the segment
    std::string segment; // a segment of --labels (or of a SEG beside the series) instead of a threshold
    int smooth = -1;     // Taubin iterations; -1: none for a threshold, 15 for a segment (its voxel steps)
    double decimate = 1; // the fraction of triangles to keep
    bool ras = false;    // RAS millimetres instead of LPS
    std::size_t maxTriangles = 50'000'000;
    std::string output; // .stl, .obj, .ply
    bool force = false;
};

// --fuse SOURCE and how it is shown: a second series over the first, resampled onto its grid (the viewer,
// snapshot). Checked before anything is loaded (planFusion).
struct FusionOptions {
    std::string source;          // --fuse: a folder, file or URL as the input; empty: none
    std::string compare;         // --compare: the same, side by side (--fuse-mode side-by-side)
    std::string series;          // --fuse-series: which of its series (as --series)
    std::string shift;           // --fuse-shift X,Y,Z: moves it by this many mm (LPS)
    bool registerFirst = false;  // --register: rigid registration onto the first series, from there
    std::string mode;            // overlay (the default, ""), checkerboard, difference or side-by-side
    double opacity = 0.4;        // overlay
    std::string colormap;        // "": hot, grayscale for the difference
    std::string window = "file"; // of its HU: a preset, 'file', 'auto' or WIDTH,LEVEL
    double checkerMm = 20;       // checkerboard squares
};

struct SnapshotOptions {
    std::string view = "axial"; // axial, coronal, sagittal or grid
    int slice = -1;             // number (from 1) of the chosen view (the axial one for grid); -1 = middle
    std::string window = "file";
    std::string colormap = "grayscale";
    bool invert = false;
    bool linear = true; // as the window: --nearest for the voxels as blocks
    bool overlays = true;
    std::string size = "512x512";
    std::string annotations; // an annotation file to draw (measure/measure.h)
    std::string output;
    bool force = false;
    double slab = 0; // mm, of the view shown (each view in the grid); 0: thin
    std::string slabMode = "mip";
    std::string turn;     // oblique MPR: "coronal:30,axial:-10", turns as the crosshair's line ends make them
    std::string segments; // --segments NAME,...: only these segments of the --labels layers (default all)
    FusionOptions fuse;
};

struct RenderOptions {
    std::string preset = "ct-bone"; // a bundled preset's name, or a preset .json file
    std::string mode;               // dvr, mip, minip, avg, iso; empty: the preset's
    double azimuth = 0, elevation = 0, zoom = 1;
    std::string view; // anterior, posterior, left, right, superior, inferior (instead of the angles)
    bool perspective = false;
    bool noShading = false;
    std::string crop;     // "i0,i1,j0,j1,k0,k1" fractions of the volume
    double step = 1.0;    // in units of the smallest voxel spacing
    double iso = NAN;     // isosurface threshold, HU (default: the preset's)
    std::string colormap; // projections, and recolours the transfer function
    bool overlays = false;
    std::string size = "800x600";
    std::string output;
    bool force = false;
    std::string turntable; // "DEGREES/FRAMES": a movie turning about the patient's long axis
    std::string segments;  // --segments NAME,...: only these segments of the --labels layers (default all)
    double fps = kTurntableFps;
};

struct ViewerOptions {
    std::string outDir = "ctview-exports"; // where S and F12 save
    FusionOptions fuse;
};

int runInfo(const CommonOptions& common, const InfoOptions& info);
// `ctview register`: the rigid registration of a second series onto the input, printed.
int runRegister(const CommonOptions& common, const RegisterOptions& options);
int runExport(const CommonOptions& common, const ExportOptions& options);
int runConvert(const CommonOptions& common, const ConvertOptions& options);
// `ctview measure`: every annotation's values on the series, as the window computes them.
int runMeasure(const CommonOptions& common, const MeasureOptions& options);
// `ctview segments`: every segment of the series' label layers, measured on the CT.
int runSegments(const CommonOptions& common, const SegmentsOptions& options);
// `ctview segment`: threshold, then keep the part at a seed, the largest, or the parts over a size; written
// as a labelmap (1 in the segment) on the series' grid, named in a label table beside it.
int runSegment(const CommonOptions& common, const SegmentOptions& options);
int runSurface(const CommonOptions& common, const SurfaceOptions& options);
// `segmentation`: also a DICOM SEG of its organs, beside the slices.
// `phases` > 1: a 4D series (every slice once per phase).
int runMakePhantom(const std::string& outDir, const std::string& size, bool segmentation, int phases = 1);
int runSnapshot(const CommonOptions& common, const SnapshotOptions& options);
int runRender(const CommonOptions& common, const RenderOptions& options);
// `ctview anonymize`: a de-identified copy of a folder's DICOM files (PS3.15 E.1 Basic Profile).
int runAnonymize(const CommonOptions& common, const std::string& outDir, const AnonymizeOptions& options);
// `ctview send`: DICOM files to an archive (C-STORE to dicom://, STOW-RS to a DICOMweb root).
int runSend(const CommonOptions& common, const std::string& node);
// `ctview cache`: the DICOMweb cache listed, or emptied.
int runCache(bool list, bool clear);
// The window. `common.input` empty: the last folder opened, else the bundled phantom.
int runViewer(const CommonOptions& common, const ViewerOptions& options);

// Throws UsageError unless `window` is a preset, "file", WIDTH,LEVEL, or (when `allowAuto`) "auto"; before
// loading.
void checkWindowOption(const std::string& window, bool allowAuto);
// "A[,B[,C]]": from `least` to `most` numbers; throws UsageError naming the option.
std::vector<double> parseNumbers(const std::string& text, const std::string& option, std::size_t least,
                                 std::size_t most);
// --slab MM and --slab-mode as a Slab; throws UsageError for a negative thickness or an unknown mode.
Slab slabOption(double thickness, const std::string& mode);
// --turn VIEW:DEGREES[,VIEW:DEGREES...] (oblique MPR) as (view's axis, degrees) pairs; throws UsageError.
std::vector<std::pair<Axis, double>> turnOption(const std::string& turn);
// Applies the turns to `s` in order, as dragging each view's crosshair line ends does (viewer::turnViews).
void applyTurns(viewer::AppState& s, const std::vector<std::pair<Axis, double>>& turns);

// Shared by the commands: open the input as a source and load its series, with progress on a terminal.
LoadOptions loadOptionsFor(const CommonOptions& common);
struct Loaded {
    std::shared_ptr<const SeriesSource> source;
    Series series;
};
Loaded openAndLoad(const CommonOptions& common);
// The load's warnings on stderr, unless --quiet.
void warnAbout(const CommonOptions& common, const Series& series);
// With options of the caller's (loadOptionsFor(common) and more: convert's streamFd).
Loaded openAndLoad(const CommonOptions& common, const LoadOptions& o);

} // namespace ctview::app

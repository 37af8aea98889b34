#pragma once
// Measurements and regions of interest, in patient space (LPS, mm), computed from the HU volume itself: what
// `ctview measure` prints and what the window shows beside each shape. No GL, no ImGui.
//
// The file format (docs/user/commands.md, `ctview measure`):
//   {"series": UID, "annotations": [{"type": "line"|"angle"|"rectangle"|"ellipse"|"polygon"|"point",
//                                    "points": [[x, y, z], ...], "label": "..."}]}
// A line has 2 points, an angle 3 (the vertex in the middle), a rectangle or an ellipse the 2 opposite
// corners of its box in the slice plane, a polygon 3 or more, a point 1.
#include "volume/slice.h"
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <filesystem>
#include <optional>

#include <string>
#include <vector>

namespace ctview {

enum class AnnotationType { Line, Angle, Rectangle, Ellipse, Polygon, Point };

// One row per kind of measurement, read by the file format, the panel, the keys, the help and the overlays:
// adding a kind is a row here, its values (measure) and its outline (the overlays), and its gesture.
struct MeasureTool {
    AnnotationType type;
    const char* name;                 // the file format's "type": "line"
    std::size_t minPoints, maxPoints; // in the file
    const char* label;                // the panel's tool: "Distance"
    char key;                         // the key that picks the tool in the slice views: 'D'
    const char* help;                 // what the help says of it: "distance (drag)"
};
// In the panel's and the help's order.
const std::vector<MeasureTool>& measureTools();
const MeasureTool& measureTool(AnnotationType t);
const char* annotationTypeName(AnnotationType t); // "line", ...

struct Annotation {
    AnnotationType type = AnnotationType::Line;
    std::vector<glm::dvec3> points; // LPS mm
    std::string label;
    bool operator==(const Annotation& o) const {
        return type == o.type && points == o.points && label == o.label;
    }
};

struct AnnotationFile {
    std::string series; // SeriesInstanceUID (0020,000E) the annotations belong to
    std::vector<Annotation> annotations;
};

// Parses and checks the point counts; DataError naming the entry ("annotation 2 (\"liver\"): ...") otherwise.
AnnotationFile parseAnnotations(const std::string& json, const std::string& where);
AnnotationFile loadAnnotationFile(const std::string& path);
std::string annotationsToJson(const AnnotationFile& f);

struct RoiStats {
    std::size_t pixels = 0;  // voxels whose centres lie inside the shape, on its slice
    double mean = 0, sd = 0; // HU (sd: of the population of those voxels)
    double min = 0, max = 0; // HU
    double areaMm2 = 0;      // of the shape as drawn (not of its pixels)
};

struct Measurement {
    double lengthMm = 0;         // line
    double angleDeg = 0;         // angle
    RoiStats roi;                // rectangle, ellipse, polygon
    double hu = 0;               // point: the voxel it lies in
    glm::ivec3 voxel{0};         // point
    std::vector<double> profile; // line: HU every `profileStepMm` from the first point (nearest voxel)
    double profileStepMm = 0;
    std::string plane; // ROIs: "axial", "coronal", "sagittal" (the voxel plane the shape lies in), "oblique"
    int slice = 0;     // ROIs: that plane's slice number as the viewer shows it (sliceNumber); -1 oblique
};

// Whether every point of `a` lies within half a voxel of slice k (voxel index along voxel axis `nAxis`): the
// slices a measurement shows on, and is listed for.
bool liesOnSlice(const Geometry& g, const Annotation& a, int nAxis, int k);
// Whether any point of `a` lies within half a voxel of one of `slices` (k, sorted): a measurement made on a
// slice that holds no acquired image (interpolated by the resampling), which its value must say.
bool touchesSlices(const Geometry& g, const Annotation& a, const std::vector<int>& slices);
// What a value on such a slice ends with, in the panel and in `ctview measure`.
inline constexpr const char* kOnInterpolated = " (on an interpolated slice: no acquired image there)";

// Whether every point of `a` lies within half the smallest voxel spacing of plane `p` (a turned view's).
bool liesOnPlane(const Geometry& g, const Annotation& a, const SlicePlane& p);

// The handles of `a` in a view whose slice frame is `f` (voxel coordinates of `g`): a handle per point,
// except for a rectangle or an ellipse, which has the four corners of its box in the view's plane (h and v of
// either stored corner).
std::vector<glm::dvec3> annotationHandles(const Geometry& g, const Annotation& a, const SliceFrame& f);
// Moves handle `handle` (annotationHandles' numbering) of `a` to `to` (LPS mm, on the view's slice): a point
// moves; a box corner moves the h of one stored corner and the v of the other, so the opposite corner stays.
void moveHandle(const Geometry& g, Annotation& a, const SliceFrame& f, int handle, const glm::dvec3& to);

// Point i of the n around the outline of a rectangle (n = 4: its corners, from c0 round to c1 and back) or an
// ellipse (its box's inscribed ellipse, from angle 0) whose box has opposite corners c0 and c1 in a plane's
// coordinates: how the views draw a box, and the polygon a box drawn in a tilted view is kept as.
glm::dvec2 boxOutlinePoint(glm::dvec2 c0, glm::dvec2 c1, bool ellipse, int i, int n);

// The values of `a` on `v`. Rule for ROIs: the shape must lie in one voxel plane of the volume (its points
// share one voxel coordinate within half a voxel); the voxels of that plane whose centres lie inside the
// shape (on its edge counts as inside) make the statistics. A polygon in a plane tilted against the voxel
// grid (drawn in a turned view) is sampled instead on a square grid of that plane, the smallest voxel spacing
// apart, trilinear between voxels (measureObliqueRoi in measure.cpp). DataError naming the annotation when
// its points leave the volume or do not lie in one plane.
Measurement measure(const Volume& v, const Annotation& a, const std::string& name);

// measure() remembered per annotation: the overlays and the Measurements panel show every annotation's values
// on every frame, and an ROI in a tilted plane samples its whole grid each time. An entry is used only for
// the same volume, annotation (points, type, label) and name; forget() when the volume's contents change.
class MeasureCache {
  public:
    // measure(v, a, name), computed once; throws what measure threw, each time.
    const Measurement& get(const Volume& v, const Annotation& a, const std::string& name);
    void forget() { entries_.clear(); }

  private:
    struct Entry {
        const void* voxels = nullptr;
        Annotation annotation;
        std::string name;
        std::optional<std::string> error; // what measure() threw, if it did
        Measurement value;
    };
    std::vector<Entry> entries_; // most recently added last; a bounded few (a drag makes a new one per frame)
};

// Where the annotations of a series are kept: $XDG_DATA_HOME/ctview/annotations/<SeriesInstanceUID>.json
// (else
// ~/.local/share/ctview/annotations/). Empty for a UID that is not a safe file name (digits and dots).
std::filesystem::path annotationStorePath(const std::string& seriesUid);
// The kept annotations of a series (none when there is no file). A file that does not parse is moved aside to
// NAME.broken-N.json, never overwritten, and `problem` says so.
AnnotationFile loadAnnotationStore(const std::string& seriesUid, std::string& problem);
// Writes them atomically (a temporary file renamed over the old one); the folder is made 0700 (patient data).
void saveAnnotationStore(const AnnotationFile& f);

// The sidecar S writes beside a saved slice image (`image`, its file name): the series, the view's axis,
// slice number and position (mm along that patient axis), the window, the image's pixel spacing, and the
// annotations that lie on that slice with their values, and whether they are drawn into the image.
std::string sliceSidecarJson(const Volume& v, Axis axis, int k, const Slab& slab, double windowWidth,
                             double windowLevel, const std::string& seriesUid,
                             const std::vector<Annotation>& annotations, const std::string& image,
                             bool burnedIn = false);

// The same for a turned view's plane `p` (numbered `number` along its normal): "axis" is "axial-oblique" (and
// so on), "plane" gives its centre and directions in LPS, and the annotations are those on the plane.
std::string planeSidecarJson(const Volume& v, Axis axis, const SlicePlane& p, int number, const Slab& slab,
                             double windowWidth, double windowLevel, const std::string& seriesUid,
                             const std::vector<Annotation>& annotations, const std::string& image,
                             bool burnedIn = false);

// How errors name an annotation: "annotation 2" or 'annotation 2 ("liver")' (`number` counts from 1).
std::string annotationName(std::size_t number, const std::string& label);

// One line of text for `ctview measure`: "line \"ruler\": 52.30 mm".
std::string describeMeasurement(const Annotation& a, const Measurement& m);
// The value beside a shape in the views, in describeMeasurement's units and precision: "192.43 mm",
// "35.2 degrees", "-106 HU", "mean 40.1 HU, SD 12.0, 4.50 cm2".
std::string shortValue(const Annotation& a, const Measurement& m);

} // namespace ctview

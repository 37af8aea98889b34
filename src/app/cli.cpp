// Argument parsing (CLI11): one binary, the window and its subcommands; the lists in help texts come from the
// tables that hold them (window presets, colour maps, 3D presets, render modes, views).
#include "app/subcommands.h"
#include "base/error.h"
#include "base/text.h"
#include "dicom/anonymize.h"
#include "sources/layers.h"
#include "viewer/app_state.h"
#include "volume/camera3d.h"
#include "volume/colormap.h"
#include "volume/transfer.h"
#include "volume/window.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ctview::app {

namespace {
// Lists for help texts, from the tables that hold the names (never restated here).
std::string windowPresetList() {
    std::vector<std::string> names;
    for (const WindowPreset& p : windowPresets())
        names.push_back(p.name);
    return joined(names, ", ");
}
std::string layerKindList() {
    std::vector<std::string> names;
    for (const LayerKind* k : layerKinds())
        names.emplace_back(k->name);
    return joined(names, ", ");
}
std::string renderPresetList() {
    std::vector<std::string> names;
    for (const RenderPreset& p : builtinPresets())
        names.push_back(p.name);
    return joined(names, ", ");
}

// A usage error: the reason, then the usage line of the (sub)command, and where to read more. Exit status 2.
int usageError(const CLI::App& cmd, const std::string& reason) {
    const bool top = cmd.get_parent() == nullptr;
    std::string help = cmd.help();
    std::vector<std::string> names; // the subcommands, as CLI11 holds them
    const CLI::App* root = top ? &cmd : cmd.get_parent();
    for (const CLI::App* sub : root->get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
    std::string usage = "Usage: ctview [OPTIONS] [input] | ctview [" + joined(names, "|") + "] ...";
    // A subcommand's own line from CLI11; the top one names the subcommands (CLI11 says "[SUBCOMMAND]").
    if (auto at = help.find("Usage:"); !top && at != std::string::npos)
        usage = help.substr(at, help.find('\n', at) - at);
    if (!top && usage.rfind("Usage: ctview", 0) != 0)
        usage.replace(0, 7, "Usage: ctview ");
    std::fprintf(stderr, "ctview: %s\n%s\nRun 'ctview%s --help' for more.\n", reason.c_str(), usage.c_str(),
                 top ? "" : (" " + cmd.get_name()).c_str());
    return 2;
}

// The input and the loading options every command shares. The viewer's input is optional (none: the last
// folder).
void addCommon(CLI::App* cmd, CommonOptions& c, bool inputRequired = true) {
    cmd->add_option("input", c.input,
                    inputRequired
                        ? "DICOM folder (scanned recursively), one file of a series, a DICOMDIR, a "
                          "NRRD/NIfTI file, a "
                          "DICOMweb URL (ROOT, ROOT/studies/UID, ROOT/studies/UID/series/UID), or a DIMSE "
                          "URL (dicom://AE@HOST:PORT[/STUDY_UID[/SERIES_UID]])"
                        : "DICOM folder or file, a NRRD/NIfTI file, or a DICOMweb or dicom:// study URL, to "
                          "open in the viewer (none: the last one opened, else the bundled phantom)")
        ->required(inputRequired);
    cmd->add_option("--series", c.series, "Series to use: its number in `ctview info`'s list, or its UID");
    cmd->add_option("--phase", c.phase,
                    "A 4D series' phase (1 to the phases `ctview info` lists; default the first; convert: "
                    "every phase, one volume each)")
        ->check(CLI::Range(1, 100000));
    cmd->add_flag("--no-resample", c.noResample,
                  "Keep a tilted or unevenly spaced stack as acquired instead of resampling it");
    cmd->add_flag("-q,--quiet", c.quiet, "No progress or warnings on stderr");
    cmd->add_option("--workers", c.workers, "Decoder processes (default: one per core)")
        ->check(CLI::Range(0, 256));
    // A DIMSE archive (dicom:// inputs): who we are to it and how it sends images.
    cmd->add_option("--aet", c.dimse.callingAe, "dicom://: our calling AE title (default CTVIEW)");
    cmd->add_option("--retrieve", c.dimse.retrieve,
                    "dicom://: get, move, or auto (default: C-GET, then C-MOVE when the archive refuses it)")
        ->check(CLI::IsMember({"auto", "get", "move"}));
    cmd->add_option("--scp-port", c.dimse.scpPort,
                    "dicom://: the port our storage SCP listens on during a C-MOVE (the archive must know "
                    "the AE title at this machine and port)")
        ->check(CLI::Range(1, 65535));
}
// --labels, for what shows or measures segmentations.
void addLabels(CLI::App* cmd, CommonOptions& c) {
    cmd->add_option("--labels", c.labels,
                    "A segmentation to show on the series (repeatable): " + layerKindList() +
                        " (docs/user/segmentations.md)")
        ->allow_extra_args(false);
}
// --fuse and how the fused series looks: the viewer's and snapshot's.
void addFusion(CLI::App* cmd, FusionOptions& f) {
    cmd->add_option("--fuse", f.source,
                    "A second series to fuse over this one (a folder, file or URL, as the input), resampled "
                    "onto its grid through patient coordinates (docs/user/fusion.md)");
    cmd->add_option("--compare", f.compare,
                    "A second series beside this one, its views showing the same planes (--fuse with "
                    "--fuse-mode side-by-side)");
    cmd->add_option("--fuse-series", f.series,
                    "Which series of --fuse or --compare: its number or UID (as --series)");
    cmd->add_option("--fuse-shift", f.shift, "Move the fused series by X,Y,Z mm (LPS), e.g. 0,0,-12.5");
    cmd->add_flag("--register", f.registerFirst,
                  "Register the second series onto this one first (rigid: rotation and shift, from the "
                  "images)");
    cmd->add_option("--fuse-mode", f.mode,
                    "overlay (default), checkerboard, difference (fused minus this), or side-by-side")
        ->check(CLI::IsMember({"overlay", "checkerboard", "difference", "side-by-side"}));
    cmd->add_option("--opacity", f.opacity, "The fused series' opacity in overlay mode, 0..1 (default 0.4)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option(
        "--fuse-colormap", f.colormap,
        "The fused series' colour map (default hot; grayscale for difference and side-by-side): " +
            listed(colormapNames()));
    cmd->add_option("--fuse-window", f.window,
                    "The fused series' window: a preset, 'file', 'auto' or WIDTH,LEVEL in HU (difference: of "
                    "the difference; default 400,0 there)");
    cmd->add_option("--checker", f.checkerMm, "Checkerboard squares' side in mm (default 20)")
        ->check(CLI::Range(1.0, 1000.0));
}
} // namespace

int runCli(int argc, char** argv) {
    CLI::App app{"ctview: a fast viewer for CT scans (DICOM series)", "ctview"};
    app.set_version_flag("--version", std::string("ctview ") + CTVIEW_VERSION);
    app.require_subcommand(0, 1);
    app.footer("Exit status: 0 success, 1 data error (the message names the file), 2 usage error.");

    // `ctview [DIR|FILE]`: the window.
    CommonOptions viewCommon;
    ViewerOptions viewer;
    addCommon(&app, viewCommon, /*inputRequired=*/false);
    addLabels(&app, viewCommon);
    app.add_option("--out", viewer.outDir,
                   "Folder for slices (S) and screenshots (F12) saved from the viewer");
    addFusion(&app, viewer.fuse);

    CommonOptions infoCommon;
    InfoOptions info;
    CLI::App* infoCmd = app.add_subcommand("info", "List the series found and describe the chosen one");
    addCommon(infoCmd, infoCommon);
    infoCmd->add_flag("--json", info.json, "Machine-readable output");
    infoCmd->add_flag("--tags", info.tags,
                      "Dump every tag of the series' first slice (nested sequences too)");
    infoCmd->add_option("--patient", info.studies.patientName,
                        "an archive's root: studies of patients whose name matches (* wildcards)");
    infoCmd->add_option("--patient-id", info.studies.patientId,
                        "an archive's root: studies with this PatientID");
    infoCmd->add_option("--accession", info.studies.accession,
                        "an archive's root: the study with this AccessionNumber");
    infoCmd->add_option("--date", info.studies.date,
                        "an archive's root: studies on YYYYMMDD, or from-to: YYYYMMDD-YYYYMMDD");
    infoCmd->add_option("--modality", info.studies.modality,
                        "an archive's root: studies with a series of this modality (CT)");
    infoCmd->add_option("--limit", info.studies.limit, "an archive's root: at most this many studies")
        ->check(CLI::Range(1, 100000));

    CommonOptions exportCommon;
    ExportOptions exp;
    CLI::App* exportCmd = app.add_subcommand(
        "export", "Save slices as PNG/JPEG with a window and colour map, or their HU as 16-bit TIFF");
    addCommon(exportCmd, exportCommon);
    exportCmd->add_option("--axis", exp.axis, "axial, coronal or sagittal")
        ->check(CLI::IsMember({"axial", "coronal", "sagittal"}));
    exportCmd->add_option("--slice", exp.slice,
                          "Slice number as the viewer shows it (1 = the most superior axial, anterior "
                          "coronal, rightmost sagittal), 'middle' or 'all'");
    exportCmd->add_option("--window", exp.window,
                          "Preset (" + windowPresetList() +
                              "), 'file' (the file's own), or WIDTH,LEVEL in HU");
    exportCmd->add_option("--colormap", exp.colormap, listed(colormapNames()));
    exportCmd->add_flag("--invert", exp.invert, "Reverse the colour map");
    exportCmd->add_option("--format", exp.formats,
                          "png, jpg, tiff (the HU: signed 16-bit, or float), or a list: png,tiff; or a movie "
                          "of the slices: mp4 (H.264) or gif");
    exportCmd->add_option("-o,--output", exp.outDir,
                          "Folder for the images (created if missing); for a movie, its file (or a folder)");
    std::string exportOver;
    exportCmd
        ->add_option("--over", exportOver,
                     "phases: with --format mp4|gif, a movie of the slice over the phases of a 4D series")
        ->check(CLI::IsMember({"phases"}))
        ->each([&](const std::string&) { exp.overPhases = true; });
    exportCmd->add_option("--fps", exp.fps, "A movie's frames a second (default 10)")
        ->check(CLI::Range(0.1, 240.0));
    exportCmd->add_flag("--force", exp.force, "Overwrite existing files instead of choosing a new name");
    exportCmd->add_option("--slab", exp.slab,
                          "Thick slab in mm around each slice (the slices whose centres lie within half of "
                          "it); 0: thin");
    exportCmd->add_option("--slab-mode", exp.slabMode, "mip, minip or average (default mip)");
    exportCmd->add_option("--turn", exp.turn,
                          "Oblique MPR, as snapshot's --turn (e.g. axial:30): the --axis view as turned, its "
                          "slices numbered along its normal (files <SeriesNumber>_<axis>-oblique_<NNNN>)");
    exportCmd->add_flag("--linear,!--nearest", exp.linear,
                        "With --turn: trilinear between voxels, as the viewer (the default), or the nearest "
                        "voxel");

    CommonOptions convertCommon;
    ConvertOptions conv;
    CLI::App* convertCmd =
        app.add_subcommand("convert", "Write the HU volume with its geometry: .nrrd, .nii or .nii.gz");
    addCommon(convertCmd, convertCommon);
    convertCmd->add_option("-o,--output", conv.output, "Output file (.nrrd, .nii, .nii.gz)")->required();
    convertCmd->add_flag("--force", conv.force, "Overwrite an existing file instead of choosing a new name");
    addLabels(convertCmd, convertCommon);
    convertCmd->add_option(
        "--segment", conv.segment,
        "Write this segment's mask (0/1 on the series' grid, its name or number) instead of "
        "the HU volume");

    CommonOptions measureCommon;
    MeasureOptions meas;
    CLI::App* measureCmd = app.add_subcommand(
        "measure", "Lengths, angles, ROI statistics and point HU of an annotation file, on the series");
    addCommon(measureCmd, measureCommon);
    measureCmd
        ->add_option("--annotations", meas.annotations,
                     "The annotation file (JSON, see docs/user/commands.md)")
        ->required();
    measureCmd->add_flag("--json", meas.json, "Machine-readable output");
    std::string measureOver;
    measureCmd
        ->add_option("--over", measureOver,
                     "phases: each ROI's mean HU and each point's HU at every phase of a 4D series (a "
                     "time-density curve)")
        ->check(CLI::IsMember({"phases"}))
        ->each([&](const std::string&) { meas.overPhases = true; });

    CommonOptions segmentsCommon;
    SegmentsOptions segs;
    CLI::App* segmentsCmd = app.add_subcommand(
        "segments", "The segments of the series' segmentations: voxels, volume in mL, HU statistics, box");
    addCommon(segmentsCmd, segmentsCommon);
    addLabels(segmentsCmd, segmentsCommon);
    segmentsCmd->add_flag("--json", segs.json, "Machine-readable output");

    CommonOptions segmentCommon;
    SegmentOptions segOpt;
    CLI::App* segmentCmd = app.add_subcommand(
        "segment",
        "Make a segment by threshold (and islands, or grow from a seed) and write it as a segmentation file");
    addCommon(segmentCmd, segmentCommon);
    segmentCmd->add_option("--threshold", segOpt.pick.threshold, "LO[,HI] in HU, e.g. 300 for bone")
        ->required();
    segmentCmd->add_option("--seed", segOpt.pick.seed,
                           "X,Y,Z in LPS mm: keep only the part connected to this point (grow from it)");
    segmentCmd->add_flag("--largest", segOpt.pick.largest, "Keep only the largest connected part");
    segmentCmd->add_option("--min-island", segOpt.pick.minIsland,
                           "Remove connected parts of fewer voxels than this");
    segmentCmd
        ->add_option("--connectivity", segOpt.pick.connectivity, "6 (faces) or 26 (faces, edges, corners)")
        ->check(CLI::IsMember({6, 26}));
    segmentCmd->add_option(
        "--close", segOpt.closeMm,
        "Then fill gaps and holes up to about twice this many mm across (grow, shrink back)");
    segmentCmd->add_option("--median", segOpt.medianMm,
                           "Then smooth: a voxel is in when most of the box of this many mm around it is");
    segmentCmd->add_option("--name", segOpt.name, "The segment's name (default Segment)");
    segmentCmd
        ->add_option(
            "-o,--output", segOpt.output,
            "Output file: .seg.nrrd (3D Slicer's, named), .nii.gz, .nii, .nrrd (with a label table), or .dcm "
            "(a DICOM SEG of a DICOM series)")
        ->required();
    segmentCmd->add_flag("--force", segOpt.force,
                         "Overwrite an existing file instead of choosing a new name");

    CommonOptions surfCommon;
    SurfaceOptions surf;
    CLI::App* surfCmd = app.add_subcommand(
        "surface",
        "Write the surface of a threshold or a segment as a mesh to print (STL) or model (OBJ, PLY)");
    addCommon(surfCmd, surfCommon);
    addLabels(surfCmd, surfCommon);
    surfCmd->add_option("--threshold", surf.pick.threshold, "LO[,HI] in HU, e.g. 300 for bone");
    surfCmd->add_option("--segment", surf.segment,
                        "A segment of --labels (or of a SEG beside the series), by name or number");
    surfCmd->add_option("--seed", surf.pick.seed, "X,Y,Z in LPS mm: only the part connected to this point");
    surfCmd->add_flag("--largest", surf.pick.largest, "Only the largest connected part");
    surfCmd->add_option("--min-island", surf.pick.minIsland, "Leave out parts of fewer voxels than this");
    surfCmd->add_option("--connectivity", surf.pick.connectivity, "6 (faces) or 26 (faces, edges, corners)")
        ->check(CLI::IsMember({6, 26}));
    surfCmd
        ->add_option("--smooth", surf.smooth,
                     "Smoothing iterations that keep the volume (Taubin); default 0 for a threshold, 15 for "
                     "a segment")
        ->check(CLI::Range(0, 1000));
    surfCmd->add_option("--decimate", surf.decimate, "Keep this fraction of the triangles, e.g. 0.5");
    surfCmd->add_flag("--ras", surf.ras, "RAS millimetres (x and y negated) instead of LPS, as DICOM");
    surfCmd->add_option("--max-triangles", surf.maxTriangles,
                        "Refuse a surface of more triangles than this (default 50000000)");
    surfCmd->add_option("-o,--output", surf.output, "Output file (.stl binary, .obj or .ply)")->required();
    surfCmd->add_flag("--force", surf.force, "Overwrite an existing file instead of choosing a new name");

    CommonOptions snapCommon;
    SnapshotOptions snap;
    CLI::App* snapCmd = app.add_subcommand(
        "snapshot", "Render the slice views as the window shows them, headless (offscreen OpenGL), to a PNG");
    addCommon(snapCmd, snapCommon);
    addLabels(snapCmd, snapCommon);
    snapCmd->add_option("--segments", snap.segments,
                        "Draw only these segments of the --labels layers: names or numbers, comma-separated");
    addFusion(snapCmd, snap.fuse);
    snapCmd
        ->add_option("--view", snap.view, "axial, coronal, sagittal, or grid (all three in the 2x2 layout)")
        ->check(CLI::IsMember({"axial", "coronal", "sagittal", "grid"}));
    snapCmd
        ->add_option("--slice", snap.slice,
                     "Slice number of the view as the viewer shows it (the axial one for grid; 1 = the most "
                     "superior); default middle")
        ->check(CLI::Range(1, 1 << 20));
    snapCmd->add_option("--window", snap.window,
                        "Preset (" + windowPresetList() + "), 'file', 'auto' or WIDTH,LEVEL in HU");
    snapCmd->add_option("--colormap", snap.colormap, listed(colormapNames()));
    snapCmd->add_option("--annotations", snap.annotations,
                        "Draw the measurements of this annotation file on the slices they lie on");
    snapCmd->add_flag("--invert", snap.invert, "Reverse the colour map");
    snapCmd->add_flag(
        "--linear,!--nearest", snap.linear,
        "Linear interpolation between voxels, as the window (the default), or the nearest voxel "
        "(L in the window)");
    snapCmd->add_flag("!--no-overlays", snap.overlays,
                      "Leave out letters, scale bar, window/level and crosshair");
    snapCmd->add_option("--size", snap.size, "WIDTHxHEIGHT in pixels (default 512x512)");
    snapCmd->add_option("-o,--output", snap.output, "PNG file to write")->required();
    snapCmd->add_flag("--force", snap.force, "Overwrite an existing file instead of choosing a new name");
    snapCmd->add_option("--slab", snap.slab, "Thick slab in mm around the slice of each view shown; 0: thin");
    snapCmd->add_option("--slab-mode", snap.slabMode, "mip, minip or average (default mip)");
    snapCmd->add_option(
        "--turn", snap.turn,
        "Oblique MPR: VIEW:DEGREES[,VIEW:DEGREES...], each turning the other views about that "
        "view's normal, clockwise on it, as dragging its crosshair line ends does (e.g. "
        "axial:30); --slice then counts steps along the turned view's normal");

    CommonOptions renderCommon;
    RenderOptions rend;
    CLI::App* renderCmd = app.add_subcommand(
        "render", "Render the 3D view headless (offscreen OpenGL, deterministic) to a PNG");
    addCommon(renderCmd, renderCommon);
    addLabels(renderCmd, renderCommon);
    renderCmd->add_option(
        "--segments", rend.segments,
        "Draw only these segments of the --labels layers: names or numbers, comma-separated");
    renderCmd->add_option("--preset", rend.preset, renderPresetList() + ", or a preset .json file");
    std::vector<std::string> modes;
    for (const RenderModeInfo& m : renderModes())
        modes.push_back(m.name);
    renderCmd->add_option("--mode", rend.mode, modeNameList() + " (default: the preset's)")
        ->check(CLI::IsMember(modes));
    renderCmd
        ->add_option("--azimuth", rend.azimuth,
                     "Degrees about the patient's long axis from the anterior view, positive toward the left")
        ->check(CLI::Range(-3600.0, 3600.0));
    renderCmd->add_option("--elevation", rend.elevation, "Degrees toward the head")
        ->check(CLI::Range(-90.0, 90.0));
    renderCmd->add_option("--zoom", rend.zoom, "1 fits the volume")->check(CLI::Range(0.05, 50.0));
    renderCmd->add_option("--view", rend.view, "anterior, posterior, left, right, superior or inferior")
        ->check(CLI::IsMember([] {
            std::vector<std::string> names;
            for (const ViewFromName& v : viewFromNames())
                names.push_back(v.name);
            return names;
        }()));
    renderCmd->add_flag("--perspective", rend.perspective, "Perspective projection (default orthographic)");
    renderCmd->add_flag("--no-shading", rend.noShading, "Turn the preset's shading off");
    renderCmd->add_option("--crop", rend.crop,
                          "I0,I1,J0,J1,K0,K1: keep this part, as fractions 0..1 along i, j, k");
    renderCmd->add_option("--step", rend.step, "Sample distance in voxels (default 1)")
        ->check(CLI::Range(0.1, 8.0));
    renderCmd->add_option("--iso", rend.iso, "Isosurface threshold in HU (default: the preset's)");
    renderCmd->add_option("--colormap", rend.colormap,
                          "Colour the transfer function (and projections) with " + listed(colormapNames()));
    renderCmd->add_flag("--overlays", rend.overlays,
                        "Draw the orientation axes, slice planes and the preset's name");
    renderCmd->add_option("--size", rend.size, "WIDTHxHEIGHT in pixels (default 800x600)");
    renderCmd->add_option("-o,--output", rend.output, "PNG file to write (.mp4 or .gif with --turntable)")
        ->required();
    renderCmd->add_option("--turntable", rend.turntable,
                          "DEGREES/FRAMES: a movie turning the view about the patient's head-feet axis from "
                          "--azimuth, e.g. 360/72");
    renderCmd->add_option("--fps", rend.fps, "The turntable's frames a second (default 25)")
        ->check(CLI::Range(0.1, 240.0));
    renderCmd->add_flag("--force", rend.force, "Overwrite an existing file instead of choosing a new name");

    CommonOptions anonCommon;
    std::string anonOut;
    AnonymizeOptions anon; // the options bind to it directly
    CLI::App* anonCmd = app.add_subcommand(
        "anonymize",
        "Write a de-identified copy of DICOM files (PS3.15 E.1 Basic Profile); originals untouched");
    anonCmd
        ->add_option("input", anonCommon.input, "A folder of DICOM files (every file under it) or one file")
        ->required();
    anonCmd->add_option("-o,--output", anonOut, "A new or empty folder for the copy")->required();
    anonCmd->add_option("--patient-name", anon.patientName, "PatientName of the copy (default ANONYMOUS)");
    anonCmd->add_option("--patient-id", anon.patientId,
                        "PatientID of the copy (default: ANON- and a pseudonym per patient)");
    anonCmd->add_flag("--keep-dates", anon.keepDates, "Keep dates and times (Retain Full Dates option)");
    anonCmd->add_flag("--keep-descriptions", anon.keepDescriptions,
                      "Keep study, series and protocol descriptions and image comments");
    anonCmd->add_flag("--keep-private", anon.keepPrivate, "Keep private elements (removed by default)");
    anonCmd->add_flag("-q,--quiet", anonCommon.quiet, "No list of files left out or warnings on stderr");
    anonCmd->add_option("--workers", anon.workers, "Worker processes (default: one per core)")
        ->check(CLI::Range(0, 256));

    CommonOptions sendCommon;
    std::string sendNode;
    CLI::App* sendCmd = app.add_subcommand(
        "send",
        "Send DICOM files to an archive: C-STORE to dicom://AE@HOST:PORT, STOW-RS to a DICOMweb root");
    sendCmd
        ->add_option("input", sendCommon.input, "A folder of DICOM files (every file under it) or one file")
        ->required();
    sendCmd->add_option("node", sendNode, "dicom://AE@HOST:PORT, or a DICOMweb root http[s]://HOST/PATH")
        ->required();
    sendCmd->add_option("--aet", sendCommon.dimse.callingAe,
                        "dicom://: our calling AE title (default CTVIEW)");
    sendCmd->add_option("--workers", sendCommon.workers, "Header readers (default: one per core)")
        ->check(CLI::Range(0, 256));

    bool cacheList = false, cacheClear = false;
    CLI::App* cacheCmd =
        app.add_subcommand("cache", "The cache of series retrieved from archives (DICOMweb, DIMSE)");
    cacheCmd->add_flag("--list", cacheList, "List the cached series (default)");
    cacheCmd->add_flag("--clear", cacheClear, "Remove every cached series");

    std::string phantomDir, phantomSize = "256x256x160";
    CLI::App* phantomCmd =
        app.add_subcommand("make-phantom", "Write the synthetic thorax/abdomen phantom as a DICOM series");
    phantomCmd->add_option("output", phantomDir, "Folder to create (must not exist or be empty)")->required();
    phantomCmd->add_option("--size", phantomSize, "COLUMNSxROWSxSLICES");
    bool phantomSegmentation = false;
    int phantomPhases = 1;
    phantomCmd
        ->add_option("--phases", phantomPhases,
                     "A 4D series of N phases (TriggerTime; the contrast in the heart and aorta rising)")
        ->check(CLI::Range(1, 100));
    phantomCmd->add_flag("--segmentation", phantomSegmentation,
                         "Also write a DICOM SEG of its organs (segmentation.dcm), shown as a layer");

    CommonOptions registerCommon;
    RegisterOptions reg;
    CLI::App* registerCmd = app.add_subcommand(
        "register",
        "Find the rotation and shift that bring a second series onto this one (rigid, from the images)");
    addCommon(registerCmd, registerCommon);
    registerCmd->add_option("moving", reg.moving, "The series to bring onto the input (as the input)")
        ->required();
    registerCmd->add_option("--moving-series", reg.movingSeries, "Which series of MOVING (as --series)");
    registerCmd->add_option("--fuse-shift", reg.shift, "Start with MOVING moved by X,Y,Z mm (LPS)");
    registerCmd->add_flag("--json", reg.json, "Print the result as JSON");

    // Each subcommand and what runs it: the one list that dispatch and the usage errors read.
    const std::vector<std::pair<CLI::App*, std::function<int()>>> commands = {
        {infoCmd, [&] { return runInfo(infoCommon, info); }},
        {exportCmd, [&] { return runExport(exportCommon, exp); }},
        {convertCmd, [&] { return runConvert(convertCommon, conv); }},
        {registerCmd, [&] { return runRegister(registerCommon, reg); }},
        {measureCmd, [&] { return runMeasure(measureCommon, meas); }},
        {segmentsCmd, [&] { return runSegments(segmentsCommon, segs); }},
        {segmentCmd, [&] { return runSegment(segmentCommon, segOpt); }},
        {surfCmd, [&] { return runSurface(surfCommon, surf); }},
        {snapCmd, [&] { return runSnapshot(snapCommon, snap); }},
        {renderCmd, [&] { return runRender(renderCommon, rend); }},
        {anonCmd, [&] { return runAnonymize(anonCommon, anonOut, anon); }},
        {sendCmd, [&] { return runSend(sendCommon, sendNode); }},
        {cacheCmd, [&] { return runCache(cacheList, cacheClear); }},
        {phantomCmd,
         [&] { return runMakePhantom(phantomDir, phantomSize, phantomSegmentation, phantomPhases); }},
    };
    auto dispatch = [&]() -> int {
        for (const auto& [cmd, run] : commands)
            if (*cmd)
                return run();
        return runViewer(viewCommon, viewer);
    };
    auto usageOfParsed = [&](const std::string& reason) { // the usage line of the subcommand given, if any
        const CLI::App* cmd = &app;
        for (const auto& [sub, run] : commands)
            if (sub->parsed())
                cmd = sub;
        return usageError(*cmd, reason);
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return usageOfParsed(e.what());
    }

    // Mistakes found after parsing (a value out of range, an unknown preset) get the same treatment.
    try {
        return dispatch();
    } catch (const UsageError& e) {
        return usageOfParsed(e.what());
    }
}

std::vector<double> parseNumbers(const std::string& text, const std::string& option, std::size_t least,
                                 std::size_t most) {
    std::vector<double> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (part.empty() || *end != '\0' || !std::isfinite(v))
            throw UsageError(option + " " + text + ": not a number: \"" + part + "\"");
        out.push_back(v);
    }
    if (out.size() < least || out.size() > most)
        throw UsageError(
            option + " " + text + ": give " +
            (least == most ? std::to_string(least) : std::to_string(least) + " or " + std::to_string(most)) +
            " numbers, comma-separated");
    return out;
}

void checkWindowOption(const std::string& window, bool allowAuto) {
    if (window == "file" || (allowAuto && window == "auto") || parseWindow(window, WindowLevel{}))
        return;
    throw UsageError("--window " + window + ": use a preset (" + windowPresetList() + "), 'file', " +
                     (allowAuto ? "'auto', " : "") + "or WIDTH,LEVEL");
}

Slab slabOption(double thickness, const std::string& mode) {
    Slab slab;
    if (!(thickness >= 0) || thickness > 10000)
        throw UsageError("--slab " + std::to_string(thickness) +
                         ": use a thickness in mm, 0 for a thin slice");
    if (!parseSlabMode(mode, slab.mode))
        throw UsageError("--slab-mode " + mode + ": use mip, minip or average");
    slab.thickness = thickness;
    return slab;
}

std::vector<std::pair<Axis, double>> turnOption(const std::string& turn) {
    std::vector<std::pair<Axis, double>> turns;
    for (std::size_t at = 0; !turn.empty() && at <= turn.size();) {
        const std::size_t end = std::min(turn.find(',', at), turn.size());
        const std::string item = turn.substr(at, end - at);
        const std::size_t colon = item.find(':');
        Axis axis;
        char* rest = nullptr;
        const double degrees = colon == std::string::npos ? 0 : std::strtod(item.c_str() + colon + 1, &rest);
        if (colon == std::string::npos || !parseAxis(item.substr(0, colon), axis) ||
            rest == item.c_str() + colon + 1 || *rest != '\0' || !std::isfinite(degrees))
            throw UsageError("--turn " + turn +
                             ": give VIEW:DEGREES items (axial, coronal or sagittal), "
                             "e.g. axial:30,coronal:-15");
        turns.emplace_back(axis, degrees);
        at = end + 1;
    }
    return turns;
}

void applyTurns(viewer::AppState& s, const std::vector<std::pair<Axis, double>>& turns) {
    for (const auto& [axis, degrees] : turns)
        viewer::turnViews(s, viewer::viewOf(s, axis), glm::radians(degrees));
}

LoadOptions loadOptionsFor(const CommonOptions& common) {
    LoadOptions o;
    o.series = common.series;
    o.phase = common.phase;
    o.resample = !common.noResample;
    o.workers = common.workers;
    o.dimse = common.dimse;
    if (!common.quiet && ::isatty(2)) {
        o.progress = [](const std::string& stage, std::size_t done, std::size_t total) {
            if (done == total || done % 16 == 0)
                std::fprintf(stderr, "\r%s %zu/%zu%s", stage.c_str(), done, total, done == total ? "\n" : "");
        };
    }
    return o;
}

Loaded openAndLoad(const CommonOptions& common) {
    return openAndLoad(common, loadOptionsFor(common));
}

void warnAbout(const CommonOptions& common, const Series& series) {
    if (!common.quiet)
        for (const std::string& w : series.warnings)
            std::fprintf(stderr, "warning: %s\n", w.c_str());
}

Loaded openAndLoad(const CommonOptions& common, const LoadOptions& o) {
    Loaded l{openSource(common.input, o), {}};
    l.series = l.source->load(l.source->pick(common.series).number, o);
    warnAbout(common, l.series);
    return l;
}

} // namespace ctview::app

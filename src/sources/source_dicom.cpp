// The local DICOM source: a folder (recursively), one file of a series, or a DICOMDIR. The scan (headers, in
// isolated workers) happens when the source is opened; loading a series is loader.cpp's loadSeries. This file
// only translates the scan's structures into the neutral SeriesListing / Provenance.
#include "sources/source_dicom.h"
#include "dicom/rtstruct_read.h"
#include "dicom/seg_read.h"

#include "dicom/dicom_tags.h"
#include "sources/metadata.h"

#include <algorithm>
#include <set>

namespace ctview {

namespace {

SeriesListing listingOf(const FileGroup& s, const ScanResult& scan) {
    SeriesListing l;
    if (!s.files.empty()) {
        const auto& meta = scan.headers[s.files.front()].meta;
        if (auto it = meta.find("PatientName"); it != meta.end())
            l.patientName = it->second;
        if (auto it = meta.find("StudyDate"); it != meta.end())
            l.studyDate = it->second;
    }
    l.number = s.number;
    l.uid = s.uid;
    l.seriesNumber = s.seriesNumber;
    l.description = s.description;
    l.modality = s.modality;
    l.slices = s.planes.size();
    if (s.phases.key >= 0) {
        l.slices = s.phases.positions;
        l.phases = s.phases.phases.size();
        l.phaseKey = kTemporalKeys[std::size_t(s.phases.key)].keyword;
        for (const Phase& p : s.phases.phases)
            l.phaseValues.push_back(phaseValueText(s.phases.key, p.value));
    }
    l.columns = s.columns;
    l.rows = s.rows;
    l.thickness = s.thickness;
    l.note = s.splitNote;
    return l;
}

// The descriptive DICOM fields a Provenance carries, by keyword (what dicom_scan.cpp collects into `meta`).
const char* const kFields[] = {"PatientName",
                               "PatientID",
                               "PatientSex",
                               "PatientAge",
                               "PatientBirthDate",
                               "StudyDate",
                               "StudyTime",
                               "StudyDescription",
                               "StudyID",
                               "AccessionNumber",
                               "ReferringPhysicianName",
                               "SeriesDescription",
                               "Manufacturer",
                               "ManufacturerModelName",
                               "BodyPartExamined",
                               "KVP",
                               "Exposure",
                               "XRayTubeCurrent",
                               "ConvolutionKernel",
                               "FrameOfReferenceUID",
                               "SpecificCharacterSet"};

class DicomFolderSource final : public SeriesSource {
  public:
    DicomFolderSource(const std::string& input, const LoadOptions& options)
        : SeriesSource(input), scan_(scanInput(input, options)) {
        for (const FileGroup& s : scan_.series)
            listing_.push_back(listingOf(s, scan_));
        // One file given (not a DICOMDIR): its tags are the ones to list, whichever slice comes first.
        std::error_code ec;
        if (std::filesystem::is_regular_file(input, ec))
            for (std::size_t f = 0; f < scan_.files.size(); ++f)
                if (std::filesystem::equivalent(scan_.files[f], input, ec))
                    inputFile_ = f;
    }
    // A scan already made (ArrivingStack), and the planes it decoded on the way.
    DicomFolderSource(ScanResult scan, std::shared_ptr<StagedPlanes> staged)
        : SeriesSource(scan.input.string()), scan_(std::move(scan)), staged_(std::move(staged)) {
        for (const FileGroup& s : scan_.series)
            listing_.push_back(listingOf(s, scan_));
    }
    std::string kind() const override { return "DICOM"; }
    const std::vector<SeriesListing>& series() const override { return listing_; }
    int defaultSeries() const override { return scan_.defaultSeries; }
    std::string summary() const override { return scan_.summary(); }
    std::vector<SkippedFile> skipped() const override { return scan_.skipped; }
    std::vector<std::string> problems() const override { return scan_.problems; }
    std::vector<std::filesystem::path>
    segmentationFiles(std::vector<std::string>& /*problems*/) const override {
        std::vector<std::filesystem::path> out;
        for (std::size_t i = 0; i < scan_.headers.size(); ++i)
            if (scan_.headers[i].sopClassUID == kSegmentationStorage ||
                scan_.headers[i].sopClassUID == kRtStructureSetStorage)
                out.push_back(scan_.files[i]);
        return out;
    }

    Provenance describe(int number) const override {
        const FileGroup& s = info(number);
        return provenance(s, s.planes.front().file);
    }

    Series load(int number, const LoadOptions& options) const override {
        const FileGroup& s = info(number);
        DecodedStack l = loadSeries(scan_, s, options, staged_.get());
        Series out;
        out.volume = std::move(l.volume);
        out.streamed = l.streamed;
        out.minHU = l.minHU;
        out.maxHU = l.maxHU;
        out.monochrome1 = l.monochrome1;
        out.warnings = std::move(l.warnings);
        out.failed = std::move(l.failed);
        out.interpolatedSlices = std::move(l.interpolated);
        out.resampleSummary = std::move(l.resampleSummary);
        out.emptySlices = std::move(l.empty);
        // The header of the first plane in stacking order speaks for the series.
        out.about = provenance(s, std::size_t(l.firstHeader - scan_.headers.data()));
        out.about.decoder = l.decodedNatively ? "native" : l.decodedByOwnCode ? "ctview rle" : "gdcm";
        out.about.acquiredSlices = l.plan.order.size();
        out.about.measuredStep = l.plan.measuredStep;
        out.about.resampled = l.plan.resample;
        out.about.orderedByInstance = l.plan.orderedByInstance;
        out.about.phase = l.phase;
        referenceImages(s, l.plan, out);
        for (std::size_t f : s.files)
            out.about.files.push_back(scan_.files[f]);
        return out;
    }

  private:
    const FileGroup& info(int number) const { return scan_.series.at(std::size_t(number - 1)); }

    // The images of the stack in order, and which one each volume slice is: slice k is the k-th plane in
    // stacking order unless the stack was resampled.
    void referenceImages(const FileGroup& s, const StackPlan& plan, Series& out) const {
        for (std::size_t r : plan.order) {
            const PlaneRef& p = s.planes[r];
            const FileHeader& h = scan_.headers[p.file];
            out.about.images.push_back(
                {h.sopClassUID, h.sopInstanceUID, h.frames > 1 ? p.header.frame + 1 : 0});
        }
        out.about.sliceImage.assign(std::size_t(out.volume.geometry().dims.z), -1);
        if (!plan.resample && plan.order.size() == out.about.sliceImage.size())
            for (std::size_t k = 0; k < plan.order.size(); ++k)
                out.about.sliceImage[k] = int(k);
    }

    // `file`: the index of the file whose header speaks for the series (the first in stacking order once
    // loaded).
    Provenance provenance(const FileGroup& s, std::size_t file) const {
        const FileHeader& h = scan_.headers[file];
        Provenance p;
        p.source = "DICOM";
        p.location = location();
        p.listing = listingOf(s, scan_);
        for (const char* k : kFields)
            if (auto it = h.meta.find(k); it != h.meta.end() && !it->second.empty())
                p.fields[k] = it->second;
        if (!h.modality.empty())
            p.fields["Modality"] = h.modality;
        p.studyUid = h.studyUID;
        p.photometric = h.photometric;
        p.windows = fileWindows(h);
        std::set<std::string> syntaxes;
        for (std::size_t f : s.files)
            syntaxes.insert(transferSyntaxName(scan_.headers[f].transferSyntax));
        p.encodings.assign(syntaxes.begin(), syntaxes.end());
        p.acquiredSlices = s.planes.size();
        const FrameHeader& fh = h.frameHeaders.front();
        p.sliceThickness = fh.sliceThickness;
        p.orientation = fh.orientation;
        const bool given = inputFile_ < scan_.files.size() &&
                           std::find(s.files.begin(), s.files.end(), inputFile_) != s.files.end();
        const std::filesystem::path path = scan_.files[given ? inputFile_ : file];
        p.tagSource = path.string();
        p.listTags = [path] { return dumpTags(path); };
        return p;
    }

    ScanResult scan_;
    std::shared_ptr<StagedPlanes> staged_; // used by the first load that fits it, then empty
    std::vector<SeriesListing> listing_;
    std::size_t inputFile_ = std::size_t(-1); // the file given as the input, when it was one
};

} // namespace

std::unique_ptr<SeriesSource> openScannedDicom(ScanResult scan, std::shared_ptr<StagedPlanes> staged) {
    return std::make_unique<DicomFolderSource>(std::move(scan), std::move(staged));
}

extern const SourceKind dicomFolderSource;
const SourceKind dicomFolderSource{
    "DICOM folder, file or DICOMDIR",
    [](const std::string&) { return true; },
    [](const std::string& input, const LoadOptions& options) -> std::unique_ptr<SeriesSource> {
        return std::make_unique<DicomFolderSource>(input, options);
    },
};

} // namespace ctview

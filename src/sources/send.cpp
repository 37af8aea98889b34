#include "sources/send.h"

#include "base/error.h"
#include "base/isolate.h"
#include "dicom/dicom_scan.h"
#include "dicomweb/dicomweb.h"
#include "dimse/dimse.h"

namespace ctview {

SendReport sendFiles(const std::vector<std::filesystem::path>& files, const std::string& node,
                     const LoadOptions& options,
                     const std::function<void(std::size_t, std::size_t)>& progress) {
    if (!isDimseUrl(node) && !isDicomWebUrl(node))
        throw UsageError(node + ": send to a dicom://AE@HOST:PORT node or a DICOMweb root (http[s]://...)");
    // An archive takes what it is sent wherever the files say they belong: a study in the URL would be
    // ignored, so it is refused instead of seeming to choose.
    if (!(isDimseUrl(node) ? parseDimseUrl(node).study : parseDicomWebUrl(node).study).empty())
        throw UsageError(node +
                         ": send to the archive's root (dicom://AE@HOST:PORT or http[s]://HOST/dicom-web), "
                         "not to a study or series of it");
    SendReport report;
    // The headers: SOP class and instance, transfer syntax.
    IsolationOptions iso;
    iso.workers = options.workers;
    iso.timeoutSeconds = options.timeoutSeconds;
    const auto scanned = runIsolated(
        files.size(), [&](std::size_t i) { return serialize(scanFile(files[i])); }, iso);
    std::vector<OutgoingFile> outgoing;
    std::vector<std::size_t> index; // outgoing[k] is files[index[k]]
    for (std::size_t i = 0; i < files.size(); ++i) {
        SendReport::File f;
        f.path = files[i];
        if (scanned[i].status != IsolatedResult::Status::Ok) {
            f.message = "unreadable: " + scanned[i].describe();
        } else {
            const FileHeader h = deserializeFileHeader(scanned[i].payload);
            if (h.kind == FileKind::NotDicom || h.kind == FileKind::Unreadable || h.sopInstanceUID.empty() ||
                h.sopClassUID.empty())
                f.message = h.kind == FileKind::Unreadable ? "unreadable: " + h.reason : "not DICOM";
            else {
                // No file meta group: implicit VR little endian, DICOM's default transfer syntax.
                outgoing.push_back({files[i].string(), h.sopClassUID, h.sopInstanceUID,
                                    h.transferSyntax.empty() ? "1.2.840.10008.1.2" : h.transferSyntax});
                index.push_back(i);
            }
        }
        report.files.push_back(f);
    }
    std::vector<SentFile> results;
    if (isDimseUrl(node)) {
        DimseClient client(parseDimseUrl(node), options.dimse);
        report.archive = client.url().node();
        if (!outgoing.empty())
            results = client.store(outgoing, progress);
    } else {
        const DicomWebUrl url = parseDicomWebUrl(node);
        if (!url.study.empty())
            throw UsageError(node + ": send to the server's root, not to a study");
        HttpOptions http;
        http.login = options.login;
        DicomWebClient client(url, http);
        report.archive = url.host;
        if (!outgoing.empty())
            results = client.store(outgoing, progress);
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
        SendReport::File& f = report.files[index[k]];
        f.sent = results[k].ok;
        f.message = results[k].message;
        report.sent += f.sent;
    }
    return report;
}

} // namespace ctview

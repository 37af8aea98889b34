#pragma once
// What a remote archive (a PACS) lists, whichever way it is asked — DICOMweb's QIDO-RS or DIMSE's C-FIND
// (PS3.4 C.6.2, Study Root) — and how ctview presents itself to a DIMSE archive. Plain values: the DICOMweb
// and DIMSE clients fill them, the sources, `info` and the PACS dialog read them.
#include <functional>
#include <string>
#include <vector>

namespace ctview {

struct StudyRow {
    std::string uid, patientName, patientId, date, description, accession, modalities;
    int seriesCount = 0, instanceCount = 0;
};
struct StudyQuery {
    std::string patientName, patientId, accession, date, modality; // date: YYYYMMDD or FROM-TO
    std::string studyUid;                                          // one study
    int limit = 0;                                                 // 0: the server's default
};
struct SeriesRow {
    std::string uid, modality, description;
    int number = 0, instanceCount = 0;
};
struct InstanceRow {
    std::string uid, sopClass;
    int rows = 0, columns = 0, frames = 1, number = 0;
};

// A DICOM file to send to an archive (C-STORE, STOW-RS), with what its header says; and how it went.
struct OutgoingFile {
    std::string path;
    std::string sopClass, sopInstance, transferSyntax;
};
struct SentFile {
    bool ok = false;     // the archive stored it
    std::string message; // why not; or the archive's warning (stored, values coerced), else empty
};

// How ctview meets a DIMSE archive: `--aet`, `--retrieve`, `--scp-port`, else what the dicom:// URL says
// (?aet=...&retrieve=...&scp-port=..., as the PACS dialog saves a node and the recent list remembers a
// study), else the defaults. Empty or 0: not given.
struct DimseOptions {
    std::string callingAe; // our AE title (default CTVIEW): the archive must know it (its modalities)
    // "get": C-GET only; "move": C-MOVE only; "auto" (default): C-GET, then C-MOVE when the archive refuses
    // it.
    std::string retrieve;
    int scpPort = 0; // where our storage SCP listens during a C-MOVE (the archive sends there); 0: no C-MOVE
};

} // namespace ctview

// DIMSE query/retrieve with DCMTK's DcmSCU and DcmSCP. Each operation is one association: negotiated, used,
// released (aborted when it went wrong), as DCMTK's findscu, getscu and movescu do.
#include "dimse/dimse.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"

#include <dcmtk/config/osconfig.h> // first: DCMTK's build configuration

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scp.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

namespace ctview {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------------------
// URLs

bool isDimseUrl(const std::string& input) {
    if (input.size() <= 8)
        return false;
    std::string scheme = input.substr(0, 8);
    for (char& c : scheme)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return scheme == "dicom://";
}

std::string DimseUrl::node() const {
    return calledAe + "@" + host + ":" + std::to_string(port);
}
std::string DimseUrl::studyUrl(const std::string& studyUid, const std::string& seriesUid) const {
    std::string t = "dicom://" + node();
    if (!studyUid.empty())
        t += "/" + studyUid;
    if (!seriesUid.empty())
        t += "/" + seriesUid;
    std::string query;
    auto add = [&](const char* key, const std::string& value) {
        if (!value.empty())
            query += (query.empty() ? "?" : "&") + std::string(key) + "=" + value;
    };
    add("aet", given.callingAe);
    add("retrieve", given.retrieve);
    add("scp-port", given.scpPort > 0 ? std::to_string(given.scpPort) : "");
    return t + query;
}
std::string DimseUrl::root() const {
    return studyUrl({});
}
std::string DimseUrl::text() const {
    return studyUrl(study, series);
}

namespace {
void checkAe(const std::string& input, const std::string& ae) {
    // PS3.5 6.2, AE: at most 16 characters of the default repertoire, no backslash, no control characters.
    if (ae.empty() || ae.size() > 16 ||
        std::any_of(ae.begin(), ae.end(), [](unsigned char c) { return c == '\\' || c < 0x20 || c >= 0x7f; }))
        throw UsageError(input + ": an AE title is 1 to 16 characters, without a backslash");
}
int portOf(const std::string& input, const std::string& text) {
    char* end = nullptr;
    const long p = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || p < 1 || p > 65535)
        throw UsageError(input + ": a port is a number from 1 to 65535");
    return int(p);
}
// The URL's ?key=value&... (no escapes: AE titles, modes and ports need none).
void parseOptions(const std::string& input, const std::string& query, DimseOptions& o) {
    std::size_t at = 0;
    while (at < query.size()) {
        const std::size_t amp = std::min(query.find('&', at), query.size());
        const std::string pair = query.substr(at, amp - at);
        at = amp + 1;
        const std::size_t eq = pair.find('=');
        const std::string key = pair.substr(0, eq),
                          value = eq == std::string::npos ? "" : pair.substr(eq + 1);
        if (key == "aet") {
            checkAe(input, value);
            o.callingAe = value;
        } else if (key == "retrieve" && (value == "get" || value == "move" || value == "auto")) {
            o.retrieve = value;
        } else if (key == "scp-port") {
            o.scpPort = portOf(input, value);
        } else if (!pair.empty()) {
            throw UsageError(input + ": unknown option " + pair +
                             " (aet=AE, retrieve=get|move|auto, scp-port=N)");
        }
    }
}
} // namespace

DimseOptions effectiveOptions(const DimseUrl& url, const DimseOptions& options) {
    DimseOptions o;
    o.callingAe = !options.callingAe.empty()     ? options.callingAe
                  : !url.given.callingAe.empty() ? url.given.callingAe
                                                 : "CTVIEW";
    o.retrieve = !options.retrieve.empty()     ? options.retrieve
                 : !url.given.retrieve.empty() ? url.given.retrieve
                                               : "auto";
    o.scpPort = options.scpPort > 0 ? options.scpPort : url.given.scpPort;
    checkAe("--aet " + o.callingAe, o.callingAe);
    if (o.retrieve != "auto" && o.retrieve != "get" && o.retrieve != "move")
        throw UsageError("--retrieve " + o.retrieve + ": get, move or auto");
    return o;
}

DimseUrl parseDimseUrl(const std::string& input) {
    if (!isDimseUrl(input))
        throw UsageError(input + ": not a dicom:// URL");
    const std::size_t question = input.find('?');
    const std::string rest =
        input.substr(8, question == std::string::npos ? std::string::npos : question - 8);
    const std::size_t at = rest.find('@');
    if (at == std::string::npos || at == 0)
        throw UsageError(input + ": name the archive's AE title: dicom://CALLED_AE@HOST:PORT");
    DimseUrl u;
    u.calledAe = rest.substr(0, at);
    checkAe(input, u.calledAe);
    if (question != std::string::npos)
        parseOptions(input, input.substr(question + 1), u.given);
    const std::string after = rest.substr(at + 1);
    const std::size_t slash = after.find('/');
    const std::string hostPort = after.substr(0, slash);
    std::string path = slash == std::string::npos ? "" : after.substr(slash + 1);
    const std::size_t colon = hostPort.rfind(':');
    u.host = hostPort.substr(0, colon);
    if (u.host.empty())
        throw UsageError(input + ": no host: dicom://CALLED_AE@HOST:PORT");
    if (colon != std::string::npos)
        u.port = portOf(input, hostPort.substr(colon + 1));
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    if (!path.empty()) {
        const std::size_t s = path.find('/');
        u.study = path.substr(0, s);
        if (s != std::string::npos) {
            u.series = path.substr(s + 1);
            if (u.series.find('/') != std::string::npos)
                throw UsageError(input +
                                 ": nothing may follow the series UID: dicom://AE@HOST:PORT/STUDY/SERIES");
        }
        if (!isSafeUid(u.study) || (!u.series.empty() && !isSafeUid(u.series)))
            throw UsageError(input + ": a UID is digits and dots");
    }
    return u;
}

namespace {

// DCMTK logs to the console by default; ctview says what went wrong in its own messages.
void quietDcmtk() {
    static std::once_flag once;
    std::call_once(once, [] { OFLog::configure(OFLogger::OFF_LOG_LEVEL); });
}

// The transfer syntaxes we accept for images: every one GDCM decodes.
const std::vector<const char*>& imageTransferSyntaxes() {
    static const std::vector<const char*> ts = {
        UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
        UID_BigEndianExplicitTransferSyntax,    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
        UID_JPEGProcess14SV1TransferSyntax,     UID_JPEGProcess14TransferSyntax,
        UID_JPEGProcess1TransferSyntax,         UID_JPEGProcess2_4TransferSyntax,
        UID_JPEGLSLosslessTransferSyntax,       UID_JPEGLSLossyTransferSyntax,
        UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
        UID_RLELosslessTransferSyntax};
    return ts;
}
OFList<OFString> uncompressed() {
    OFList<OFString> ts;
    ts.push_back(UID_LittleEndianExplicitTransferSyntax);
    ts.push_back(UID_LittleEndianImplicitTransferSyntax);
    return ts;
}

// A DCMTK condition's text on one line (a condition pushed over another carries both, newline-separated).
std::string oneLine(const OFCondition& c) {
    std::string t = c.text();
    for (std::size_t at; (at = t.find('\n')) != std::string::npos;)
        t.replace(at, 1, "; ");
    return t;
}

std::string hex4(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof b, "%04X", v & 0xffffu);
    return b;
}

// Why an association failed, in a user's words. A rejection carries its reason only in the A-ASSOCIATE-RJ,
// which DcmSCU does not hand out: a second, bare request (C-ECHO only) reads it.
// Where the user sets what a message asks for: the command line's option, or the PACS dialog's field.
const char* const kAetWhere = "--aet AE, or \"our AE\" in the PACS dialog";
const char* const kPortWhere = "--scp-port N, or the PACS dialog's C-MOVE port";

std::string rejectReason(const DimseUrl& u, const DimseOptions& o, int connectTimeout) {
    T_ASC_Network* net = nullptr;
    if (ASC_initializeNetwork(NET_REQUESTOR, 0, connectTimeout, &net).bad())
        return "association rejected";
    T_ASC_Parameters* params = nullptr;
    ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
    ASC_setAPTitles(params, o.callingAe.c_str(), u.calledAe.c_str(), nullptr);
    const std::string peer = u.host + ":" + std::to_string(u.port);
    ASC_setPresentationAddresses(params, OFStandard::getHostName().c_str(), peer.c_str());
    const char* ts[] = {UID_LittleEndianImplicitTransferSyntax};
    ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, ts, 1);
    T_ASC_Association* assoc = nullptr;
    const OFCondition c = ASC_requestAssociation(net, params, &assoc);
    std::string why = "association rejected";
    if (c == DUL_ASSOCIATIONREJECTED) {
        T_ASC_RejectParameters rej;
        ASC_getRejectParameters(params, &rej);
        switch (rej.reason) {
        case ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED:
            why = "association rejected: the archive does not know the calling AE title " + o.callingAe +
                  " (add it to the archive's modalities, or give another: " + std::string(kAetWhere) + ")";
            break;
        case ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED:
            why = "association rejected: the archive's AE title is not " + u.calledAe;
            break;
        case ASC_REASON_SP_PRES_TEMPORARYCONGESTION:
        case ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED:
            why = "association rejected: the archive is busy (try again)";
            break;
        default:
            why = "association rejected by the archive (reason " + hex4(unsigned(rej.reason)) + ")";
        }
        ASC_destroyAssociation(&assoc);
    } else if (c.good()) {
        // Accepted this time (the first refusal was for its presentation contexts or passing).
        ASC_releaseAssociation(assoc);
        ASC_destroyAssociation(&assoc);
        why = "association rejected (a plain C-ECHO association is accepted: check the AE titles)";
    } else if (assoc) {
        ASC_destroyAssociation(&assoc);
    }
    ASC_dropNetwork(&net);
    return why;
}

// The message for a failed connection or negotiation.
std::string associationFailure(const DimseUrl& u, const DimseOptions& o, const DimseTimeouts& t,
                               const OFCondition& c) {
    const std::string text = oneLine(c);
    if (c == DUL_ASSOCIATIONREJECTED)
        return u.node() + ": " + rejectReason(u, o, t.connect);
    if (text.find("Connection refused") != std::string::npos)
        return u.node() + ": connection refused (is the archive running, and is " + std::to_string(u.port) +
               " its DICOM port?)";
    // Connected, then silence: the A-ASSOCIATE request unanswered (a stalled or overloaded archive).
    if (text.find("read timeout") != std::string::npos)
        return u.node() +
               ": the archive took the connection but did not answer the association request within " +
               std::to_string(t.response) + " s (stalled or overloaded?)";
    if (text.find("Timeout") != std::string::npos || text.find("timed out") != std::string::npos)
        return u.node() + ": no answer within " + std::to_string(t.connect) + " s (host or port unreachable)";
    if (text.find("Unknown Host") != std::string::npos || text.find("unknown host") != std::string::npos)
        return u.node() + ": unknown host " + u.host;
    return u.node() + ": could not open a DICOM association (" + text + "; is this a DICOM port?)";
}

// A DcmSCU set up for the node, its association not yet negotiated.
class Scu : public DcmSCU {
  public:
    Scu(const DimseUrl& u, const DimseOptions& o, const DimseTimeouts& t)
        : url_(u), options_(o), timeouts_(t) {
        quietDcmtk();
        setAETitle(o.callingAe.c_str());
        setPeerAETitle(u.calledAe.c_str());
        setPeerHostName(u.host.c_str());
        setPeerPort(Uint16(u.port));
        setConnectionTimeout(t.connect);
        setACSETimeout(Uint32(t.response));
        setDIMSETimeout(Uint32(t.response));
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    }
    // Negotiates; throws the association's failure. `service` names what was asked, for the message when
    // the archive accepts none of its presentation contexts.
    void connect(const char* abstractSyntax, const std::string& service) {
        OFCondition c = initNetwork();
        if (c.good())
            c = negotiateAssociation();
        if (c == NET_EC_NoAcceptablePresentationContexts ||
            (c.good() && findPresentationContextID(abstractSyntax, "") == 0))
            throw DataError(url_.node() + ": the archive does not offer " + service);
        if (c.bad())
            throw DataError(associationFailure(url_, options_, timeouts_, c));
    }
    // Throws the failure of a DIMSE exchange: a stall, an abort, a peer that stopped answering.
    [[noreturn]] void fail(const std::string& what, const OFCondition& c) {
        if (isConnected())
            abortAssociation();
        const std::string text = oneLine(c);
        if (c == DIMSE_NODATAAVAILABLE || text.find("Timeout") != std::string::npos)
            throw DataError(url_.node() + ": " + what + ": the archive stopped answering (no message for " +
                            std::to_string(timeouts_.response) + " s)");
        throw DataError(url_.node() + ": " + what + " failed (" + text + ")");
    }
    void done() {
        if (isConnected())
            releaseAssociation();
    }

    // C-GET: each image the archive sends on this association.
    std::function<Uint16(DcmDataset*)> onStore;
    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset* incoming, OFBool& more,
                                   Uint16& status) override {
        more = OFTrue;
        status = onStore ? onStore(incoming) : Uint16(STATUS_STORE_Refused_OutOfResources);
        return EC_Normal;
    }

    // C-FIND: stop after `limit` answers (the association is aborted then: DIMSE has no limit of its own).
    std::size_t limit = 0, answers = 0;
    bool cut = false;
    OFCondition handleFINDResponse(const T_ASC_PresentationContextID presID, QRResponse* response,
                                   OFBool& waitForNextResponse) override {
        const OFCondition c = DcmSCU::handleFINDResponse(presID, response, waitForNextResponse);
        if (response->m_dataset && ++answers >= limit && limit > 0 && waitForNextResponse) {
            waitForNextResponse = OFFalse;
            cut = true;
        }
        return c;
    }

  private:
    DimseUrl url_;
    DimseOptions options_;
    DimseTimeouts timeouts_;
};

// A value as text, without DICOM's padding spaces.
std::string stringOf(DcmItem* ds, const DcmTagKey& tag) {
    OFString v;
    if (!ds || ds->findAndGetOFStringArray(tag, v).bad())
        return {};
    std::string s = v.c_str();
    const std::size_t first = s.find_first_not_of(' '), last = s.find_last_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}
int intOf(DcmItem* ds, const DcmTagKey& tag) {
    const std::string v = stringOf(ds, tag);
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    return end == v.c_str() ? 0 : int(n);
}
// Values of a multi-valued element as "CT,SEG" (as DICOMweb's listing gives them).
std::string listOf(DcmItem* ds, const DcmTagKey& tag) {
    std::string v = stringOf(ds, tag);
    std::replace(v.begin(), v.end(), '\\', ',');
    return v;
}

// One C-FIND at `level` with `keys` (the matching keys set, the return keys empty); the identifiers that
// came back, in UTF-8.
std::vector<std::unique_ptr<DcmDataset>> find(const DimseUrl& u, const DimseOptions& o,
                                              const DimseTimeouts& t, const char* level, DcmDataset& keys,
                                              std::size_t limit) {
    Scu scu(u, o, t);
    scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressed());
    scu.connect(UID_FINDStudyRootQueryRetrieveInformationModel, "C-FIND (Study Root)");
    keys.putAndInsertString(DCM_QueryRetrieveLevel, level);
    // Ask for UTF-8 (PS3.4 C.4.1.1.3.1: the archive may answer in another character set; converted below).
    keys.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
    scu.limit = limit;
    OFList<QRResponse*> responses;
    const T_ASC_PresentationContextID pc =
        scu.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
    const OFCondition c = scu.sendFINDRequest(pc, &keys, &responses);
    std::vector<std::unique_ptr<DcmDataset>> out;
    Uint16 finalStatus = STATUS_Success;
    for (QRResponse* r : responses) {
        if (r->m_dataset && DICOM_PENDING_STATUS(r->m_status)) {
            r->m_dataset->convertToUTF8(); // best effort: DCMTK built without iconv leaves it as it came
            out.emplace_back(r->m_dataset);
            r->m_dataset = nullptr;
        } else {
            finalStatus = r->m_status;
        }
        delete r;
    }
    if (c.bad() && !scu.cut)
        scu.fail(std::string("C-FIND at ") + level + " level", c);
    if (!scu.cut && finalStatus != STATUS_Success && !DICOM_PENDING_STATUS(finalStatus))
        throw DataError(u.node() + ": the archive refused the query at " + level + " level (status 0x" +
                        hex4(finalStatus) + ": " + DU_cfindStatusString(finalStatus) + ")");
    if (scu.cut)
        scu.abortAssociation();
    else
        scu.done();
    if (limit > 0 && out.size() > limit)
        out.resize(limit);
    return out;
}

// Writes an image that arrived to `folder` as <SOPInstanceUID>.dcm, in the transfer syntax it came in;
// the DICOM status for the sender. Takes `ds`.
Uint16 storeImage(DcmDataset* ds, const std::string& series, const fs::path& folder,
                  const std::function<void(const fs::path&)>& arrived, std::mutex& lock) {
    DcmFileFormat file(ds, OFFalse); // owns it now
    const std::string uid = stringOf(ds, DCM_SOPInstanceUID);
    if (!isSafeUid(uid))
        return STATUS_STORE_Error_CannotUnderstand;
    // Only the series asked for (an image of another, pushed while we listen, stays out of its folder).
    if (stringOf(ds, DCM_SeriesInstanceUID) != series)
        return STATUS_STORE_Error_DataSetDoesNotMatchSOPClass;
    const fs::path final = folder / (uid + ".dcm"), part = folder / (uid + ".dcm.part");
    const E_TransferSyntax xfer = ds->getOriginalXfer();
    std::error_code ec;
    if (file.saveFile(part.c_str(), xfer).bad()) {
        fs::remove(part, ec);
        return STATUS_STORE_Refused_OutOfResources;
    }
    fs::rename(part, final, ec);
    if (ec) {
        fs::remove(part, ec);
        return STATUS_STORE_Refused_OutOfResources;
    }
    std::lock_guard guard(lock);
    if (arrived)
        arrived(final);
    return STATUS_Success;
}

// Where a retrieve's images land (C-GET's own association, or our SCP during a C-MOVE): the series asked
// for, its folder and the caller's callback; what landed is counted.
struct Landing {
    std::string series;
    fs::path folder;
    const std::function<void(const fs::path&)>& arrived;
    std::mutex lock;
    std::atomic<std::size_t> count{0};
    Uint16 operator()(DcmDataset* ds) {
        const Uint16 s = storeImage(ds, series, folder, arrived, lock);
        if (s == STATUS_Success)
            ++count;
        return s;
    }
};

// Our storage SCP for a C-MOVE: accepts every storage SOP class in the transfer syntaxes GDCM decodes, on
// `port`, until told to stop (checked each second).
class MoveDestination : public DcmSCP {
  public:
    MoveDestination(const DimseOptions& o, const DimseTimeouts& t, std::function<Uint16(DcmDataset*)> store)
        : store_(std::move(store)) {
        DcmSCPConfig& cfg = getConfig();
        cfg.setAETitle(o.callingAe.c_str());
        cfg.setPort(Uint16(o.scpPort));
        cfg.setConnectionBlockingMode(DUL_NOBLOCK);
        cfg.setConnectionTimeout(1);
        // A sender that stalls on an open association ends it after the response timeout (never a wait
        // without end: the retrieve waits for this thread).
        cfg.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        cfg.setDIMSETimeout(Uint32(t.response));
        cfg.setACSETimeout(Uint32(t.response));
        cfg.setHostLookupEnabled(OFFalse);
        OFList<OFString> ts;
        for (const char* syntax : imageTransferSyntaxes())
            ts.push_back(syntax);
        for (int n = 0; n < numberOfDcmAllStorageSOPClassUIDs; ++n)
            cfg.addPresentationContext(dcmAllStorageSOPClassUIDs[n], ts);
        cfg.addPresentationContext(UID_VerificationSOPClass, uncompressed());
    }
    std::atomic<bool> stop{false};

  protected:
    OFBool stopAfterConnectionTimeout() override { return stop.load(); }
    OFBool stopAfterCurrentAssociation() override { return stop.load(); }
    OFCondition handleIncomingCommand(T_DIMSE_Message* msg, const DcmPresentationContextInfo& info) override {
        if (msg->CommandField != DIMSE_C_STORE_RQ)
            return DcmSCP::handleIncomingCommand(msg, info);
        T_DIMSE_C_StoreRQ& rq = msg->msg.CStoreRQ;
        DcmDataset* ds = nullptr;
        const OFCondition c = receiveSTORERequest(rq, info.presentationContextID, ds);
        if (c.bad())
            return c;
        return sendSTOREResponse(info.presentationContextID, rq, store_(ds));
    }

  private:
    std::function<Uint16(DcmDataset*)> store_;
};

// The identifier of a retrieve: the study, the series, and one image when `instance` is given.
DcmDataset retrieveKeys(const std::string& study, const std::string& series, const std::string& instance) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, instance.empty() ? "SERIES" : "IMAGE");
    keys.putAndInsertString(DCM_StudyInstanceUID, study.c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
    if (!instance.empty())
        keys.putAndInsertString(DCM_SOPInstanceUID, instance.c_str());
    return keys;
}

// The final response's counts and status into `out`.
void tally(const OFList<RetrieveResponse*>& responses, DimseRetrieved& out, Uint16& finalStatus) {
    finalStatus = STATUS_Success;
    for (RetrieveResponse* r : responses) {
        if (DICOM_PENDING_STATUS(r->m_status))
            continue;
        finalStatus = r->m_status;
        out.completed = r->m_numberOfCompletedSubops;
        out.failed = r->m_numberOfFailedSubops;
        out.warnings = r->m_numberOfWarningSubops;
    }
    for (RetrieveResponse* r : responses)
        delete r;
}

// A C-GET status that means "not this way" (refused, not supported), after which C-MOVE may work.
bool refusal(Uint16 status) {
    return status == STATUS_GET_Refused_OutOfResourcesNumberOfMatches ||
           status == STATUS_GET_Refused_OutOfResourcesSubOperations ||
           status == STATUS_GET_Failed_SOPClassNotSupported ||
           status == 0x0122 /* SOP class not supported */ || status == 0x0124 /* not authorised */ ||
           (status & 0xF000) == 0xC000;
}

struct Refused : DataError {
    using DataError::DataError;
};

DimseRetrieved getSeries(const DimseUrl& u, const DimseOptions& o, const DimseTimeouts& t, DcmDataset& keys,
                         const fs::path& folder, const std::vector<std::string>& sopClasses,
                         const std::function<void(const fs::path&)>& arrived) {
    Scu scu(u, o, t);
    scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, uncompressed());
    // The storage contexts the images come back on (SCP role, PS3.4 C.4.3.1), one per SOP class with every
    // transfer syntax GDCM decodes (one role item each): the series' own classes first, then the common image
    // classes (a series may mix in a secondary capture), 127 contexts at most in all.
    OFList<OFString> all;
    for (const char* ts : imageTransferSyntaxes())
        all.push_back(ts);
    std::vector<std::string> classes = sopClasses;
    for (int n = 0; n < numberOfDcmShortSCUStorageSOPClassUIDs; ++n)
        if (std::find(classes.begin(), classes.end(), dcmShortSCUStorageSOPClassUIDs[n]) == classes.end())
            classes.emplace_back(dcmShortSCUStorageSOPClassUIDs[n]);
    if (classes.size() > 120)
        classes.resize(120);
    for (const std::string& cls : classes)
        scu.addPresentationContext(cls.c_str(), all, ASC_SC_ROLE_SCP);
    try {
        scu.connect(UID_GETStudyRootQueryRetrieveInformationModel, "C-GET (Study Root)");
    } catch (const DataError& e) {
        if (std::string(e.what()).find("does not offer") != std::string::npos)
            throw Refused(e.what());
        throw;
    }
    DimseRetrieved out;
    out.how = "C-GET";
    Landing landing{stringOf(&keys, DCM_SeriesInstanceUID), folder, arrived};
    scu.onStore = [&](DcmDataset* ds) { return landing(ds); };
    OFList<RetrieveResponse*> responses;
    const OFCondition c = scu.sendCGETRequest(
        scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, ""), &keys, &responses);
    Uint16 status = STATUS_Success;
    tally(responses, out, status);
    out.arrived = landing.count.load();
    if (c.bad()) {
        if (out.arrived > 0) { // cut mid-way: keep what came
            if (scu.isConnected())
                scu.abortAssociation();
            return out;
        }
        // Some archives (Orthanc, for a modality not allowed C-GET) answer a C-GET they will not serve by
        // aborting the association: a refusal, after which C-MOVE may work.
        if (c == DUL_PEERABORTEDASSOCIATION)
            throw Refused(u.node() + ": the archive refused C-GET (it aborted the association)");
        scu.fail("C-GET", c);
    }
    scu.done();
    // Failed sub-operations are images the archive could not send, not a refusal of C-GET (Orthanc ends a
    // C-GET at the first one with 0xC000 and the count): reported as such, never retried by C-MOVE.
    if (out.arrived == 0 && out.failed == 0 && refusal(status))
        throw Refused(u.node() + ": the archive refused C-GET (status 0x" + hex4(status) + ": " +
                      DU_cgetStatusString(status) + ")");
    out.complete = status == STATUS_Success && out.failed == 0;
    return out;
}

DimseRetrieved moveSeries(const DimseUrl& u, const DimseOptions& o, const DimseTimeouts& t, DcmDataset& keys,
                          const fs::path& folder, const std::function<void(const fs::path&)>& arrived) {
    if (o.scpPort <= 0)
        throw DataError(u.node() + ": C-MOVE needs a port where the archive can send the images: give " +
                        std::string(kPortWhere) + " (the archive must know " + o.callingAe +
                        " at this machine and that port)");
    DimseRetrieved out;
    out.how = "C-MOVE";
    Landing landing{stringOf(&keys, DCM_SeriesInstanceUID), folder, arrived};
    MoveDestination scp(o, t, [&](DcmDataset* ds) { return landing(ds); });
    if (scp.openListenPort().bad())
        throw DataError(u.node() + ": cannot listen on port " + std::to_string(o.scpPort) +
                        " for the C-MOVE (in use? give another: " + kPortWhere + ")");
    std::thread listener([&] { scp.acceptAssociations(); });
    struct Stop { // the listener ends with this function, however it ends
        MoveDestination& scp;
        std::thread& t;
        ~Stop() {
            scp.stop = true;
            if (t.joinable())
                t.join();
        }
    } stop{scp, listener};

    // An archive may send no pending C-MOVE response until the last image is out: the wait between responses
    // is for the whole move (images arriving at the listener meanwhile), 10 minutes at most.
    DimseTimeouts moving = t;
    moving.response = std::max(t.response, 600);
    Scu scu(u, o, moving);
    scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, uncompressed());
    scu.connect(UID_MOVEStudyRootQueryRetrieveInformationModel, "C-MOVE (Study Root)");
    OFList<RetrieveResponse*> responses;
    const OFCondition c =
        scu.sendMOVERequest(scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, ""),
                            o.callingAe.c_str(), &keys, &responses);
    Uint16 status = STATUS_Success;
    tally(responses, out, status);
    out.arrived = landing.count.load();
    if (c.bad()) {
        if (out.arrived > 0) {
            if (scu.isConnected())
                scu.abortAssociation();
            return out;
        }
        scu.fail("C-MOVE", c);
    }
    scu.done();
    if (status == STATUS_MOVE_Failed_MoveDestinationUnknown)
        throw DataError(u.node() + ": the archive does not know the C-MOVE destination " + o.callingAe +
                        " (add it to the archive's modalities with this machine's address and port " +
                        std::to_string(o.scpPort) + ")");
    if (out.arrived == 0 && status != STATUS_Success && !DICOM_WARNING_STATUS(status))
        throw DataError(u.node() + ": the C-MOVE failed (status 0x" + hex4(status) + ": " +
                        DU_cmoveStatusString(status) + "): check that the archive has " + o.callingAe +
                        " at this machine and port " + std::to_string(o.scpPort) + ", and that it may move");
    out.complete = status == STATUS_Success && out.failed == 0;
    return out;
}

} // namespace

DimseClient::DimseClient(DimseUrl url, const DimseOptions& options, DimseTimeouts timeouts)
    : url_(std::move(url)), options_(effectiveOptions(url_, options)), timeouts_(timeouts) {}

void DimseClient::echo() {
    Scu scu(url_, options_, timeouts_);
    scu.addPresentationContext(UID_VerificationSOPClass, uncompressed());
    scu.connect(UID_VerificationSOPClass, "C-ECHO (Verification)");
    const OFCondition c = scu.sendECHORequest(0);
    if (c.bad())
        scu.fail("C-ECHO", c);
    scu.done();
}

std::vector<StudyRow> DimseClient::studies(const StudyQuery& q) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_StudyInstanceUID, q.studyUid.c_str());
    keys.putAndInsertString(DCM_PatientName, q.patientName.c_str());
    keys.putAndInsertString(DCM_PatientID, q.patientId.c_str());
    keys.putAndInsertString(DCM_StudyDate, q.date.c_str());
    keys.putAndInsertString(DCM_AccessionNumber, q.accession.c_str());
    keys.putAndInsertString(DCM_ModalitiesInStudy, q.modality.c_str());
    keys.putAndInsertString(DCM_StudyDescription, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedSeries, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedInstances, "");
    std::vector<StudyRow> out;
    for (const auto& ds : find(url_, options_, timeouts_, "STUDY", keys, std::size_t(std::max(0, q.limit)))) {
        StudyRow s;
        s.uid = stringOf(ds.get(), DCM_StudyInstanceUID);
        s.patientName = stringOf(ds.get(), DCM_PatientName);
        s.patientId = stringOf(ds.get(), DCM_PatientID);
        s.date = stringOf(ds.get(), DCM_StudyDate);
        s.description = stringOf(ds.get(), DCM_StudyDescription);
        s.accession = stringOf(ds.get(), DCM_AccessionNumber);
        s.modalities = listOf(ds.get(), DCM_ModalitiesInStudy);
        s.seriesCount = intOf(ds.get(), DCM_NumberOfStudyRelatedSeries);
        s.instanceCount = intOf(ds.get(), DCM_NumberOfStudyRelatedInstances);
        if (!s.uid.empty())
            out.push_back(s);
    }
    return out;
}

std::vector<SeriesRow> DimseClient::series(const std::string& study) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_StudyInstanceUID, study.c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, "");
    keys.putAndInsertString(DCM_Modality, "");
    keys.putAndInsertString(DCM_SeriesDescription, "");
    keys.putAndInsertString(DCM_SeriesNumber, "");
    keys.putAndInsertString(DCM_NumberOfSeriesRelatedInstances, "");
    std::vector<SeriesRow> out;
    for (const auto& ds : find(url_, options_, timeouts_, "SERIES", keys, 0)) {
        SeriesRow s;
        s.uid = stringOf(ds.get(), DCM_SeriesInstanceUID);
        s.modality = stringOf(ds.get(), DCM_Modality);
        s.description = stringOf(ds.get(), DCM_SeriesDescription);
        s.number = intOf(ds.get(), DCM_SeriesNumber);
        s.instanceCount = intOf(ds.get(), DCM_NumberOfSeriesRelatedInstances);
        if (!s.uid.empty())
            out.push_back(s);
    }
    return out;
}

std::vector<InstanceRow> DimseClient::instances(const std::string& study, const std::string& series,
                                                int limit) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_StudyInstanceUID, study.c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
    keys.putAndInsertString(DCM_SOPInstanceUID, "");
    keys.putAndInsertString(DCM_SOPClassUID, "");
    keys.putAndInsertString(DCM_InstanceNumber, "");
    keys.putAndInsertString(DCM_Rows, "");
    keys.putAndInsertString(DCM_Columns, "");
    keys.putAndInsertString(DCM_NumberOfFrames, "");
    std::vector<InstanceRow> out;
    for (const auto& ds : find(url_, options_, timeouts_, "IMAGE", keys, std::size_t(std::max(0, limit)))) {
        InstanceRow r;
        r.uid = stringOf(ds.get(), DCM_SOPInstanceUID);
        r.sopClass = stringOf(ds.get(), DCM_SOPClassUID);
        r.number = intOf(ds.get(), DCM_InstanceNumber);
        r.rows = intOf(ds.get(), DCM_Rows);
        r.columns = intOf(ds.get(), DCM_Columns);
        r.frames = std::max(1, intOf(ds.get(), DCM_NumberOfFrames));
        if (!r.uid.empty())
            out.push_back(r);
    }
    return out;
}

DimseRetrieved DimseClient::retrieve(const std::string& study, const std::string& series,
                                     const std::string& instance, const fs::path& folder,
                                     const std::vector<std::string>& sopClasses,
                                     const std::function<void(const fs::path&)>& arrived) {
    DcmDataset keys = retrieveKeys(study, series, instance);
    if (options_.retrieve == "move")
        return moveSeries(url_, options_, timeouts_, keys, folder, arrived);
    try {
        return getSeries(url_, options_, timeouts_, keys, folder, sopClasses, arrived);
    } catch (const Refused& e) {
        if (options_.retrieve == "get")
            throw DataError(e.what());
        if (options_.scpPort <= 0)
            throw DataError(std::string(e.what()) + "; C-MOVE instead needs a port: " + kPortWhere +
                            " (the archive must know " + options_.callingAe +
                            " at this machine and that port)");
        DcmDataset again = retrieveKeys(study, series, instance);
        return moveSeries(url_, options_, timeouts_, again, folder, arrived);
    }
}

std::vector<SentFile> DimseClient::store(const std::vector<OutgoingFile>& files,
                                         const std::function<void(std::size_t, std::size_t)>& sent) {
    std::vector<SentFile> out(files.size());
    // One presentation context per SOP class and transfer syntax of the files (PS3.8 allows 128 in all).
    std::vector<std::pair<std::string, std::string>> contexts;
    for (const OutgoingFile& f : files)
        if (std::find(contexts.begin(), contexts.end(), std::make_pair(f.sopClass, f.transferSyntax)) ==
            contexts.end())
            contexts.emplace_back(f.sopClass, f.transferSyntax);
    const bool tooMany = contexts.size() > 127;
    contexts.resize(std::min<std::size_t>(contexts.size(), 127));
    std::unique_ptr<Scu> scu;
    auto open = [&] {
        scu = std::make_unique<Scu>(url_, options_, timeouts_);
        for (const auto& [cls, ts] : contexts) {
            OFList<OFString> one;
            one.push_back(ts.c_str());
            scu->addPresentationContext(cls.c_str(), one);
        }
        OFCondition c = scu->initNetwork();
        if (c.good())
            c = scu->negotiateAssociation();
        if (c.bad())
            throw DataError(associationFailure(url_, options_, timeouts_, c));
    };
    open(); // nothing sent yet: a failure here is the whole send's
    for (std::size_t i = 0; i < files.size(); ++i) {
        const OutgoingFile& f = files[i];
        if (!scu->isConnected()) {
            // The archive ended the association (on the file before, most likely): a new one for the rest;
            // when that fails, the rest are not sent, each saying why.
            try {
                open();
            } catch (const DataError& e) {
                for (std::size_t j = i; j < files.size(); ++j)
                    out[j].message = std::string("not sent: ") + e.what();
                break;
            }
        }
        if (scu->findPresentationContextID(f.sopClass.c_str(), f.transferSyntax.c_str()) == 0) {
            out[i].message =
                tooMany && std::find(contexts.begin(), contexts.end(),
                                     std::make_pair(f.sopClass, f.transferSyntax)) == contexts.end()
                    ? "not sent: more than 127 kinds of file in one send (send them in parts)"
                    : "the archive accepts no " + f.sopClass + " in transfer syntax " + f.transferSyntax;
        } else {
            Uint16 status = 0;
            const OFCondition c = scu->sendSTORERequest(0, OFFilename(f.path.c_str()), nullptr, status);
            if (c.bad()) {
                out[i].message = "not sent (" + oneLine(c) + ")";
            } else if (status == STATUS_Success) {
                out[i].ok = true;
            } else if ((status & 0xF000) == 0xB000) { // warnings: stored, something coerced or discarded
                out[i].ok = true;
                out[i].message =
                    "stored with a warning (0x" + hex4(status) + ": " + DU_cstoreStatusString(status) + ")";
            } else {
                out[i].message =
                    "refused (status 0x" + hex4(status) + ": " + DU_cstoreStatusString(status) + ")";
            }
        }
        if (sent)
            sent(i + 1, files.size());
    }
    if (scu->isConnected())
        scu->releaseAssociation();
    return out;
}

} // namespace ctview

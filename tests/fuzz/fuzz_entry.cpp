#include "fuzz_entry.h"

#include "base/error.h"
#include "dicom/decode.h"
#include "dicom/dicom_scan.h"
#include "dicom/loader.h"
#include "dicom/seg_read.h"
#include "dicomweb/multipart.h"
#include "labels/label_table.h"

#include <cstdlib>

#include <fstream>
#include <vector>

namespace ctview::fuzz {

namespace {
void writeBytes(const std::filesystem::path& p, const std::uint8_t* data, std::size_t size) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
}
} // namespace

void oneFile(const std::uint8_t* data, std::size_t size, const std::filesystem::path& scratch) {
    // Our own code that reads file bytes in the main process (GDCM only ever runs in the isolated workers,
    // and is fuzzed through smallFolder): the DICOM sniffer, the Pixel Data locator, and the native fast-path
    // decoder.
    std::filesystem::create_directories(scratch);
    const auto path = scratch / "input.dcm";
    writeBytes(path, data, size);
    sniffDicom(path);
    // The segmentation readers' own code in the main process: the SEG sniffer and the label tables beside a
    // labelmap (GDCM, Teem and nifticlib run in the workers, through smallFolder's path and the layers).
    isSegFile(path);
    try {
        readLabelTable(path);
    } catch (const DataError&) {
    }
    {
        const std::string text(reinterpret_cast<const char*>(data), size);
        std::vector<std::pair<std::string, std::string>> fields;
        for (std::size_t at = 0; at < text.size();) {
            const std::size_t end = std::min(text.find('\n', at), text.size());
            const std::string line = text.substr(at, end - at);
            const std::size_t eq = line.find('=');
            fields.emplace_back(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
            at = end + 1;
        }
        int layers = 0;
        slicerSegmentTable(fields, &layers);
    }
    // A header such as a scan would report, its sizes taken from the input's first bytes so that the fuzzer
    // can vary them: rows, columns and frames 1..64, 8 or 16 bits.
    auto byteAt = [&](std::size_t i) { return i < size ? int(data[i]) : 0; };
    FileHeader h;
    h.kind = FileKind::Image;
    h.rows = 1 + byteAt(0) % 64;
    h.columns = 1 + byteAt(1) % 64;
    h.frames = 1 + byteAt(2) % 4;
    h.bitsAllocated = byteAt(3) % 2 ? 8 : 16;
    h.bitsStored = 1 + byteAt(4) % h.bitsAllocated;
    h.highBit = h.bitsStored - 1 + byteAt(5) % (h.bitsAllocated - h.bitsStored + 1);
    h.pixelRepresentation = byteAt(6) % 2;
    h.fileSize = size;
    const std::uint64_t expected = std::uint64_t(h.rows) * std::uint64_t(h.columns) *
                                   std::uint64_t(h.frames) * std::uint64_t(h.bitsAllocated / 8);
    for (const char* ts : {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"}) {
        h.transferSyntax = ts;
        for (std::uint64_t want : {expected, std::uint64_t(0), std::uint64_t(size)}) {
            const PixelDataLocation loc = locatePixelData(path, ts, want, size);
            if (!loc.found || want != expected || loc.missing)
                continue;
            h.pixelOffset = loc.offset;
            h.pixelLength = loc.length;
            std::vector<std::int16_t> buffer(std::size_t(h.rows) * std::size_t(h.columns) *
                                             std::size_t(h.frames));
            DecodeJob job;
            job.path = path;
            job.header = &h;
            job.buffer = buffer.data();
            job.type = ScalarType::Int16;
            job.columns = h.columns;
            job.rows = h.rows;
            for (int f = 0; f < h.frames; ++f)
                job.targets.push_back({f, f, 1.0, -1024.0});
            try {
                decodeNative(job);
            } catch (const DataError&) {
            }
        }
    }
}

void smallFolder(const std::uint8_t* data, std::size_t size, const std::filesystem::path& scratch) {
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
    std::filesystem::create_directories(scratch);
    writeBytes(scratch / "a.dcm", data, size);
    writeBytes(scratch / "b.dcm", data, size);
    writeBytes(scratch / "c.dcm", data, size / 2);
    try {
        LoadOptions o;
        o.workers = 1;
        o.timeoutSeconds = 5;
        const ScanResult scan = scanInput(scratch, o);
        if (!scan.series.empty())
            loadSeries(scan, scan.pick(""), o);
    } catch (const DataError&) {
    } catch (const UsageError&) {
    } catch (const std::bad_alloc&) {
    }
}

void multipartStream(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t nl = input.find('\n');
    const std::string contentType = input.substr(0, nl),
                      body = nl == std::string::npos ? "" : input.substr(nl + 1);
    std::string boundary;
    try {
        boundary = multipartBoundary(contentType);
    } catch (const DataError&) {
        boundary = "b"; // still split the body
    }
    std::size_t handed = 0, parts = 0;
    bool open = false;
    MultipartParser::Handler h;
    h.begin = [&](const PartHeaders&) {
        if (open)
            std::abort(); // a part began inside a part
        open = true;
    };
    h.data = [&](const char*, std::size_t n) {
        if (!open)
            std::abort();
        handed += n;
    };
    h.end = [&] {
        if (!open)
            std::abort();
        open = false;
        ++parts;
    };
    MultipartParser p(boundary, h);
    try {
        std::size_t at = 0, step = 0;
        while (at < body.size()) {
            const std::size_t n = std::min(body.size() - at, std::size_t(1 + (data[step++ % size] % 97)));
            p.feed(body.data() + at, n);
            at += n;
        }
    } catch (const DataError&) {
    }
    if (handed > body.size() || p.partsCompleted() != parts)
        std::abort();
}

} // namespace ctview::fuzz

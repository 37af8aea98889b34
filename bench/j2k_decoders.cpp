// JPEG 2000 decoders side by side (issue 15): OpenJPEG (what GDCM uses, and so ctview's workers) against
// Grok, both through their library APIs, single-threaded, on the codestreams of a DICOM series. Each frame's
// samples from both are compared with GDCM's own decoding of the file, so a faster decoder is only worth
// anything if every value agrees.
// Usage: ctview_bench_j2k_decoders DIR [RUNS]   prints the best decode seconds of each and the mismatches.
#include <gdcmImageReader.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfFragments.h>
#include <gdcmTrace.h>
#include <grok.h>
#include <openjpeg.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

struct Frame {
    std::string codestream;         // the first fragment of Pixel Data (one frame per fragment here)
    std::vector<std::int32_t> gdcm; // GDCM's decoded samples, as stored (sign from PixelRepresentation)
};

// OpenJPEG reads from memory through a user stream.
struct MemoryStream {
    const std::string* data;
    std::size_t at = 0;
};

OPJ_SIZE_T opjRead(void* buf, OPJ_SIZE_T n, void* user) {
    auto* m = static_cast<MemoryStream*>(user);
    if (m->at >= m->data->size())
        return OPJ_SIZE_T(-1);
    n = std::min<OPJ_SIZE_T>(n, m->data->size() - m->at);
    std::memcpy(buf, m->data->data() + m->at, n);
    m->at += n;
    return n;
}
OPJ_OFF_T opjSkip(OPJ_OFF_T n, void* user) {
    auto* m = static_cast<MemoryStream*>(user);
    m->at = std::size_t(std::clamp<OPJ_OFF_T>(OPJ_OFF_T(m->at) + n, 0, OPJ_OFF_T(m->data->size())));
    return n;
}
OPJ_BOOL opjSeek(OPJ_OFF_T n, void* user) {
    auto* m = static_cast<MemoryStream*>(user);
    if (n < 0 || std::size_t(n) > m->data->size())
        return OPJ_FALSE;
    m->at = std::size_t(n);
    return OPJ_TRUE;
}

bool decodeOpenJpeg(const std::string& cs, std::vector<std::int32_t>& out) {
    MemoryStream m{&cs};
    opj_stream_t* s = opj_stream_create(1 << 16, OPJ_TRUE);
    opj_stream_set_user_data(s, &m, nullptr);
    opj_stream_set_user_data_length(s, cs.size());
    opj_stream_set_read_function(s, opjRead);
    opj_stream_set_skip_function(s, opjSkip);
    opj_stream_set_seek_function(s, opjSeek);
    opj_codec_t* c = opj_create_decompress(OPJ_CODEC_J2K);
    opj_dparameters_t p;
    opj_set_default_decoder_parameters(&p);
    opj_image_t* img = nullptr;
    bool ok = opj_setup_decoder(c, &p) && opj_read_header(s, c, &img) && opj_decode(c, s, img) &&
              opj_end_decompress(c, s) && img->numcomps == 1;
    if (ok) {
        const auto& comp = img->comps[0];
        out.assign(comp.data, comp.data + std::size_t(comp.w) * comp.h);
    }
    if (img)
        opj_image_destroy(img);
    opj_destroy_codec(c);
    opj_stream_destroy(s);
    return ok;
}

bool decodeGrok(const std::string& cs, std::vector<std::int32_t>& out) {
    grk_stream_params sp{};
    sp.buf = reinterpret_cast<std::uint8_t*>(const_cast<char*>(cs.data()));
    sp.len = cs.size();
    grk_decompress_core_params p{};
    grk_decompress_set_default_params(&p);
    grk_codec* c = grk_decompress_init(&sp, &p);
    if (!c)
        return false;
    grk_header_info h{};
    bool ok = grk_decompress_read_header(c, &h) && grk_decompress(c, nullptr);
    grk_image* img = ok ? grk_decompress_get_composited_image(c) : nullptr;
    ok = img && img->numcomps == 1;
    if (ok) {
        const auto& comp = img->comps[0];
        out.resize(std::size_t(comp.w) * comp.h);
        for (std::uint32_t y = 0; y < comp.h; ++y)
            std::memcpy(&out[std::size_t(y) * comp.w], comp.data + std::size_t(y) * comp.stride,
                        comp.w * sizeof(std::int32_t));
    }
    grk_object_unref(reinterpret_cast<grk_object*>(c));
    return ok;
}

std::vector<Frame> readFrames(const char* dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file())
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<Frame> frames;
    for (const auto& f : files) {
        gdcm::Reader r;
        r.SetFileName(f.c_str());
        if (!r.Read())
            continue;
        const gdcm::DataElement& pd = r.GetFile().GetDataSet().GetDataElement(gdcm::Tag(0x7fe0, 0x0010));
        const gdcm::SequenceOfFragments* sf = pd.GetSequenceOfFragments();
        if (!sf || sf->GetNumberOfFragments() != 1)
            continue;
        const gdcm::ByteValue* bv = sf->GetFragment(0).GetByteValue();
        Frame fr;
        fr.codestream.assign(bv->GetPointer(), bv->GetLength());
        gdcm::ImageReader ir;
        ir.SetFileName(f.c_str());
        if (!ir.Read())
            continue;
        const gdcm::Image& img = ir.GetImage();
        std::vector<char> buf(img.GetBufferLength());
        img.GetBuffer(buf.data());
        const bool isSigned = img.GetPixelFormat().GetPixelRepresentation() == 1;
        const std::size_t n = buf.size() / 2;
        fr.gdcm.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t w;
            std::memcpy(&w, &buf[2 * i], 2);
            fr.gdcm[i] = isSigned ? std::int32_t(std::int16_t(w)) : std::int32_t(w);
        }
        frames.push_back(std::move(fr));
    }
    return frames;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ctview_bench_j2k_decoders DIR [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    gdcm::Trace::SetWarning(false);
    setenv("OPJ_NUM_THREADS", "1", 1);
    grk_initialize(nullptr, 1); // one thread: the workers already run one file per core
    const std::vector<Frame> frames = readFrames(argv[1]);
    if (frames.empty()) {
        std::fprintf(stderr, "%s: no single-fragment JPEG 2000 frames\n", argv[1]);
        return 1;
    }
    struct Decoder {
        const char* name;
        bool (*decode)(const std::string&, std::vector<std::int32_t>&);
        double best = 1e30;
        std::size_t failed = 0, mismatched = 0;
    } decoders[] = {{"openjpeg", decodeOpenJpeg}, {"grok", decodeGrok}};
    std::vector<std::int32_t> out;
    for (int r = 0; r < runs; ++r)
        for (Decoder& d : decoders) {
            d.failed = d.mismatched = 0;
            double seconds = 0;
            for (const Frame& f : frames) {
                const auto t0 = std::chrono::steady_clock::now();
                const bool ok = d.decode(f.codestream, out);
                seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (!ok)
                    ++d.failed;
                else if (out != f.gdcm)
                    ++d.mismatched;
            }
            d.best = std::min(d.best, seconds);
        }
    std::printf("{\"frames\": %zu", frames.size());
    for (const Decoder& d : decoders)
        std::printf(", \"%s\": {\"seconds\": %.3f, \"failed\": %zu, \"differ_from_gdcm\": %zu}", d.name,
                    d.best, d.failed, d.mismatched);
    std::printf(", \"grok\": \"%s\"}\n", grk_version());
    grk_deinitialize();
    return 0;
}

// Writes the fuzzers' seed corpus with the test-series generator: small series in every transfer syntax we
// write, signed and unsigned storage, padding, a slope, a multi-frame Enhanced CT, and files without
// positions. One file of each series goes into the corpus (the fuzzers make folders of their own).
#include "dicom/dicom_write.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace ctview;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const std::filesystem::path out = argv[1];
    std::filesystem::create_directories(out);
    const std::filesystem::path tmp = out / ".series";
    int n = 0;
    auto add = [&](SeriesSpec spec, const char* name) {
        std::filesystem::remove_all(tmp);
        writeSeries(spec, tmp);
        for (const auto& e : std::filesystem::directory_iterator(tmp)) {
            std::filesystem::copy_file(e.path(), out / (std::string(name) + ".dcm"),
                                       std::filesystem::copy_options::overwrite_existing);
            ++n;
            break;
        }
    };
    SeriesSpec base;
    base.columns = 16;
    base.rows = 12;
    base.slices = 2;
    base.stored = [](int i, int j, int k) { return double((i * 7 + j * 3 + k) % 200) - 50; };
    const std::pair<WriteSyntax, const char*> syntaxes[] = {{WriteSyntax::ExplicitLE, "explicit-le"},
                                                            {WriteSyntax::ImplicitLE, "implicit-le"},
                                                            {WriteSyntax::ExplicitBE, "explicit-be"},
                                                            {WriteSyntax::JpegLossless, "jpeg-lossless"},
                                                            {WriteSyntax::JpegLS, "jpeg-ls"},
                                                            {WriteSyntax::Jpeg2000Lossless, "jpeg2000"},
                                                            {WriteSyntax::Rle, "rle"},
                                                            {WriteSyntax::Deflated, "deflated"},
                                                            {WriteSyntax::JpegExtended, "jpeg-extended"}};
    for (const auto& [syntax, name] : syntaxes) {
        SeriesSpec s = base;
        s.syntax = syntax;
        if (syntax == WriteSyntax::JpegExtended) {
            s.bitsStored = 12;
            s.pixelRepresentation = 0;
            s.stored = [](int i, int j, int) { return double((i * 37 + j * 11) % 4000); };
        }
        add(s, name);
    }
    SeriesSpec u = base;
    u.bitsStored = 12;
    u.pixelRepresentation = 0;
    u.intercept = [](int) { return -1024.0; };
    u.paddingValue = 0;
    u.stored = [](int i, int j, int) { return double((i + j) % 3 ? 1000 + i : 0); };
    add(u, "unsigned12-padding");
    SeriesSpec slope = base;
    slope.slope = [](int) { return 0.5; };
    add(slope, "slope");
    SeriesSpec nopos = base;
    nopos.writePositions = false;
    add(nopos, "no-positions");
    SeriesSpec multi = base;
    multi.multiFrame = true;
    multi.slices = 3;
    add(multi, "enhanced-multiframe");
    SeriesSpec mono1 = base;
    mono1.photometric = "MONOCHROME1";
    add(mono1, "monochrome1");
    std::filesystem::remove_all(tmp);
    // For the multipart target: a Content-Type line, then a WADO-RS answer of two parts (with and without
    // length).
    std::ofstream(out / "wado-rs.multipart", std::ios::binary)
        << "multipart/related; type=\"application/dicom\"; boundary=\"b;1\"\n"
        << "--b;1\r\nContent-Type: application/dicom\r\nContent-Length: 4\r\n\r\nDICM\r\n"
        << "--b;1\r\nContent-Type: application/dicom\r\n\r\nDI\r\nCM\r\n--b;1--\r\n";
    ++n;
    std::printf("%d seed files in %s\n", n, out.c_str());
    return 0;
}

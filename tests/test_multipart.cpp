// The multipart/related splitter of WADO-RS answers: fed in pieces of every size, with and without each
// part's Content-Length, quoted boundaries, and the ways a stream goes wrong.
#include "base/error.h"
#include "dicomweb/multipart.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ctview;

namespace {

struct Collected {
    std::vector<std::string> parts, types;
    bool open = false;
};

// Feeds `stream` in pieces of `chunk` bytes; returns the parts and whether the closing delimiter came.
bool split(const std::string& boundary, const std::string& stream, std::size_t chunk, Collected& c) {
    MultipartParser::Handler h;
    h.begin = [&](const PartHeaders& ph) {
        REQUIRE_FALSE(c.open);
        c.open = true;
        c.parts.emplace_back();
        c.types.push_back(ph.contentType);
    };
    h.data = [&](const char* d, std::size_t n) {
        REQUIRE(c.open);
        c.parts.back().append(d, n);
    };
    h.end = [&] {
        REQUIRE(c.open);
        c.open = false;
    };
    MultipartParser p(boundary, h);
    for (std::size_t at = 0; at < stream.size(); at += chunk)
        p.feed(stream.data() + at, std::min(chunk, stream.size() - at));
    return p.finished();
}

// Bodies that contain the boundary's beginning, CRLFs and NULs, as pixel data does.
const std::vector<std::string> kBodies = {std::string("DICM\0\0\r\n--ab\r\n-", 15),
                                          std::string(3000, 'x') + "\r\n--ab", "",
                                          std::string("\r\n\r\n", 4)};

std::string stream(const std::string& boundary, bool lengths, const std::string& preamble = "") {
    std::string s = preamble;
    for (const std::string& b : kBodies) {
        s += "--" + boundary + "\r\nContent-Type: application/dicom\r\n";
        if (lengths)
            s += "Content-Length: " + std::to_string(b.size()) + "\r\n";
        s += "MIME-Version: 1.0\r\n\r\n" + b + "\r\n";
    }
    return s + "--" + boundary + "--\r\n";
}

} // namespace

TEST_CASE("multipart: the boundary from a Content-Type, quoted or not") {
    CHECK(multipartBoundary("multipart/related; type=\"application/dicom\"; boundary=e90a-5e1c") ==
          "e90a-5e1c");
    CHECK(multipartBoundary("Multipart/Related;boundary=\"a;b=c\";type=\"application/dicom\"") == "a;b=c");
    CHECK(multipartBoundary("multipart/related; type=\"application/dicom; x=1\"; boundary=\"q\\\"x\"") ==
          "q\"x");
    CHECK_THROWS_WITH(multipartBoundary("application/dicom+json"), Catch::Contains("not multipart"));
    CHECK_THROWS_WITH(multipartBoundary("multipart/related; type=\"application/dicom\""),
                      Catch::Contains("no boundary"));
    CHECK_THROWS(multipartBoundary("multipart/related; boundary=\"\""));
}

TEST_CASE("multipart: parts come out whole at every chunk size, with and without Content-Length") {
    for (bool lengths : {true, false})
        for (std::size_t chunk :
             {std::size_t(1), std::size_t(2), std::size_t(7), std::size_t(64), std::size_t(100000)}) {
            INFO("lengths " << lengths << " chunk " << chunk);
            Collected c;
            CHECK(split("abc", stream("abc", lengths, "a preamble\r\n"), chunk, c));
            CHECK(c.parts == kBodies);
            CHECK(c.types == std::vector<std::string>(kBodies.size(), "application/dicom"));
            CHECK_FALSE(c.open);
        }
}

TEST_CASE("multipart: a stream that stops early is not finished, broken streams are errors") {
    const std::string whole = stream("abc", true);
    Collected c;
    CHECK_FALSE(split("abc", whole.substr(0, whole.size() - 12), 5, c)); // before the closing delimiter
    CHECK(c.parts.size() == kBodies.size());
    Collected cut;
    CHECK_FALSE(split("abc", whole.substr(0, whole.find("xxxx") + 100), 3, cut)); // in the second body
    CHECK(cut.open);
    // A Content-Length that is wrong: the delimiter is not where it says.
    std::string wrong = "--abc\r\nContent-Length: 3\r\n\r\nabcdef\r\n--abc--";
    Collected w;
    CHECK_THROWS_WITH(split("abc", wrong, 4, w), Catch::Contains("longer than its Content-Length"));
    Collected junk;
    CHECK_THROWS_WITH(split("abc", "--abcX\r\n\r\n", 1, junk), Catch::Contains("line break"));
    Collected nan;
    CHECK_THROWS_WITH(split("abc", "--abc\r\nContent-Length: lots\r\n\r\n", 100, nan),
                      Catch::Contains("not a number"));
    Collected endless;
    CHECK_THROWS_WITH(split("abc", "--abc\r\n" + std::string(70000, 'h'), 4096, endless),
                      Catch::Contains("never end"));
    // A part with no headers at all.
    Collected bare;
    CHECK(split("b", "--b\r\n\r\nxyz\r\n--b--", 2, bare));
    CHECK(bare.parts == std::vector<std::string>{"xyz"});
}

// Every input the fuzzers ever crashed, hung or leaked on (tests/fuzz/regressions/, one file each, named
// after what it broke), replayed through the fuzzers' own entry points: one file in-process, and a small
// folder through the whole loader. Passing means returning, with no sanitizer report in the sanitizer build.
#include "testutil.h"

#include "fuzz/fuzz_entry.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("fuzz regressions: every kept reproducer loads without a crash, hang or leak") {
    TempDir scratch;
    int count = 0;
    for (const auto& e : std::filesystem::directory_iterator(CTVIEW_FUZZ_REGRESSIONS)) {
        if (e.path().filename() == "README.md")
            continue;
        std::ifstream in(e.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        INFO(e.path());
        const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
        fuzz::oneFile(data, bytes.size(), scratch.path / "file");
        fuzz::smallFolder(data, bytes.size(), scratch.path / "folder");
        if (!bytes.empty())
            fuzz::multipartStream(data, bytes.size());
        ++count;
    }
    CHECK(count >= 1);
}

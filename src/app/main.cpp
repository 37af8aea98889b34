// ctview: a fast native viewer for CT scans. main() only parses, runs, and turns typed errors into exit
// codes.
#include "base/error.h"

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>

namespace ctview::app {
int runCli(int argc, char** argv);
}

int main(int argc, char** argv) {
    // A file-size limit (ulimit -f) must make a write fail with EFBIG, which the writers report and clean up
    // after, rather than kill the process mid-write with SIGXFSZ.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        return ctview::app::runCli(argc, argv);
    } catch (const ctview::UsageError& e) { // runCli prints the usage line with these; this is a safety net
        std::fprintf(stderr, "ctview: %s\n", e.what());
        return 2;
    } catch (const ctview::DataError& e) {
        std::fprintf(stderr, "ctview: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "ctview: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ctview: %s\n", e.what());
        return 1;
    }
}

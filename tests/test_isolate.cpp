// Crash containment: tasks that abort, crash or hang take down only their worker.
#include "testutil.h"

#include "base/isolate.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("a task that aborts, segfaults or hangs is reported and the others complete") {
    IsolationOptions o;
    o.workers = 2;
    o.timeoutSeconds = 1.0;
    const auto results = runIsolated(
        8,
        [](std::size_t i) -> std::string {
            if (i == 2)
                std::abort(); // what GDCM's assert() does
            if (i == 4)
                std::raise(SIGSEGV); // a wild pointer
            if (i == 6)
                std::this_thread::sleep_for(std::chrono::seconds(30)); // an endless loop
            if (i == 7)
                throw std::runtime_error("bad header");
            return "ok " + std::to_string(i);
        },
        o);
    REQUIRE(results.size() == 8);
    for (std::size_t i : {0, 1, 3, 5}) {
        CHECK(results[i].status == IsolatedResult::Status::Ok);
        CHECK(results[i].payload == "ok " + std::to_string(i));
    }
    CHECK(results[2].status == IsolatedResult::Status::Crashed);
    CHECK(results[2].signal == SIGABRT);
    CHECK(results[4].status == IsolatedResult::Status::Crashed);
    CHECK(results[4].signal == SIGSEGV);
    CHECK(results[6].status == IsolatedResult::Status::TimedOut);
    CHECK(results[7].status == IsolatedResult::Status::Failed);
    CHECK(results[7].payload == "bad header");
}

TEST_CASE("workers write into shared memory that the parent reads") {
    SharedBuffer buf(1000 * sizeof(int));
    int* p = static_cast<int*>(buf.data());
    IsolationOptions o;
    o.workers = 3;
    runIsolated(
        1000,
        [&](std::size_t i) {
            p[i] = int(i * i);
            return std::string();
        },
        o);
    for (int i = 0; i < 1000; ++i)
        REQUIRE(p[i] == i * i);
}

TEST_CASE(
    "a worker that asks for more memory than its budget fails alone, the machine's memory is not touched") {
    IsolationOptions o;
    o.workers = 1;
    o.memoryBudgetBytes = std::uint64_t(256) << 20;
    const auto results = runIsolated(
        3,
        [](std::size_t i) -> std::string {
            if (i == 1) {
                // What GDCM does for an element whose header claims 4 GiB (untouched pages: without the
                // budget this would succeed and the test fail, without using the memory).
                std::unique_ptr<char[]> huge(new char[std::size_t(4) << 30]);
                huge[(std::size_t(4) << 30) - 1] = 1;
                return "allocated";
            }
            std::vector<char> fine(std::size_t(64) << 20, 1); // well inside the budget
            return "ok " + std::to_string(i) + " " + std::to_string(int(fine.back()));
        },
        o);
    REQUIRE(results.size() == 3);
    CHECK(results[0].payload == "ok 0 1");
    CHECK(results[2].payload == "ok 2 1");
    // bad_alloc (Failed), or the sanitizer runtime's abort on an allocation it cannot map (Crashed).
    CHECK(results[1].status != IsolatedResult::Status::Ok);
    CHECK(!results[1].describe().empty());
}

TEST_CASE("workers die with the process that started them") {
    // A process that starts two workers busy for a minute is killed; its workers must not run on as orphans.
    TempDir dir;
    const std::filesystem::path pids = dir.path / "pids";
    const pid_t starter = ::fork();
    REQUIRE(starter >= 0);
    if (starter == 0) {
        IsolationOptions o;
        o.workers = 2;
        o.timeoutSeconds = 120;
        runIsolated(
            2,
            [&](std::size_t i) {
                std::ofstream(pids.string() + std::to_string(i)) << ::getpid() << "\n";
                std::this_thread::sleep_for(std::chrono::seconds(60));
                return std::string();
            },
            o);
        ::_exit(0);
    }
    std::vector<pid_t> workers;
    for (int tries = 0; tries < 100 && workers.size() < 2; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        workers.clear();
        for (int i = 0; i < 2; ++i) {
            pid_t p = 0;
            std::ifstream in(pids.string() + std::to_string(i));
            if (in >> p)
                workers.push_back(p);
        }
    }
    REQUIRE(workers.size() == 2);
    ::kill(starter, SIGKILL);
    ::waitpid(starter, nullptr, 0);
    int alive = 2;
    for (int tries = 0; tries < 100 && alive > 0; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        alive = 0;
        // Gone, or a zombie waiting for init to reap it: either way it runs no more.
        for (pid_t p : workers) {
            std::ifstream stat("/proc/" + std::to_string(p) + "/stat");
            std::string pidField, comm, state;
            if (stat >> pidField >> comm >> state && state != "Z")
                ++alive;
        }
    }
    CHECK(alive == 0);
}

// Several loads at once, one per thread (Python threads, Dask workers): each run's workers must end when that
// run is done. A worker forked by one run inherited the pipe ends of another run's workers, kept their input
// open after that run closed it, and both runs waited on each other's workers for ever (the Python module's
// threads test hung in CI).
TEST_CASE("runs of isolated tasks in several threads at once each end") {
    std::vector<std::thread> threads;
    std::vector<int> ok(6, 0);
    for (std::size_t t = 0; t < ok.size(); ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round) {
                IsolationOptions o;
                o.workers = 2;
                const auto results = runIsolated(
                    7,
                    [&](std::size_t i) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(i % 3));
                        return std::to_string(t * 100 + i);
                    },
                    o);
                bool all = true;
                for (std::size_t i = 0; i < results.size(); ++i)
                    all = all && results[i].status == IsolatedResult::Status::Ok &&
                          results[i].payload == std::to_string(t * 100 + i);
                ok[t] += all;
            }
        });
    for (std::thread& th : threads)
        th.join();
    CHECK(ok == std::vector<int>(6, 5));
}

// A program another thread starts meanwhile (Python's os.system) must not hold a run's pipes: before they
// were close-on-exec, each run waited for that program to end (a run of trivial tasks took as long as `sleep
// 3`).
TEST_CASE("a program started by another thread does not hold up a run") {
    std::thread other([] { (void)std::system("sleep 3"); });
    double slowest = 0;
    for (int round = 0; round < 20; ++round) {
        const auto start = std::chrono::steady_clock::now();
        IsolationOptions o;
        o.workers = 2;
        const auto results = runIsolated(
            4, [](std::size_t i) { return std::to_string(i); }, o);
        slowest = std::max(slowest,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        CHECK(results[3].payload == "3");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    other.join();
    CHECK(slowest < 2.0); // a trivial run takes milliseconds; held up, it took the 3 s of the sleep
}

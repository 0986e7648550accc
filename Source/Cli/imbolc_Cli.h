#pragma once

#include <imbolc_protocol/imbolc_protocol.h>

#include <map>
#include <stdexcept>

namespace imbolc::cli
{

/** A command-line mistake: printed as one sentence, exit code 2. */
struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/** Runs `imbolc bench [SUITE...]`; returns the exit code. */
int runBench (const std::vector<std::string>& suites);

/** Runs `imbolc plugins [--rescan]`; returns the exit code. Message thread (main). */
int runPlugins (const std::vector<std::string>& args);

/** The suites `imbolc bench` knows, for help and checking. */
const std::vector<std::string>& benchSuites();

} // namespace imbolc::cli

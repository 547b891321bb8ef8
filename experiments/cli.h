// Subcommands of the `graft` command line. Each add_* registers one subcommand on the given
// parent; its callback does the work and throws UsageError / DataError on bad input, which
// main() turns into a message and a distinct exit code. `command_line` is the invocation as
// typed, recorded in the provenance of every file a command writes.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace graft::cli {

void add_data_commands(CLI::App& app, const std::string& command_line);  // data import | generate | split | stats
void add_train_command(CLI::App& app, const std::string& command_line);  // train
void add_experiment_commands(CLI::App& app);  // run | sweep | report | transfer | keys | trial

}  // namespace graft::cli

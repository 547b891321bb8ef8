// The `graft` command line. Exit codes: 0 success, 2 usage error, 3 data error, 1 anything else.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "experiments/cli.h"
#include "experiments/launch.h"
#include "gnn/blas_core.h"
#include "graph_io/errors.h"

int main(int argc, char** argv) {
  // `graft data …` (graph_io, no LibTorch) multiplies no matrices: restarting would only double
  // its start-up (0.4 s of 0.8 s).
  const bool data_command = argc > 1 && std::string(argv[1]) == "data";
  if (!data_command) graft::gnn::restart_with_better_blas_core(argv);
  graft::cli::set_program_arguments(argc, argv);
  CLI::App app{"graft: graph transfer learning for cross-domain recommendation"};
  app.require_subcommand(1);
  std::string command_line = "graft";
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
  graft::cli::add_data_commands(app, command_line);
  graft::cli::add_train_command(app, command_line);
  graft::cli::add_experiment_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const graft::cli::ExitStatus& e) {
    return e.code;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return graft::io::UsageError::kExitCode;
  } catch (const graft::io::UsageError& e) {
    std::cerr << graft::cli::process_label() << ": usage error: " << e.what() << "\n";
    return graft::io::UsageError::kExitCode;
  } catch (const graft::io::DataError& e) {
    std::cerr << graft::cli::process_label() << ": data error: " << e.what() << "\n";
    return graft::io::DataError::kExitCode;
  } catch (const std::exception& e) {
    std::cerr << graft::cli::process_label() << ": error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

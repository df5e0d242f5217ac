#pragma once
// dli-agent's command-line parser (CLI11), built from the one definition of its flags in
// include/dli/protocol/agent_command.hpp: agent/main.cpp parses with it, the unit tests check the integrator's
// command lines against it.
#include "dli/protocol/agent_command.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace dli {

// The subcommands registered on the app; after parsing, the one given says parsed().
struct AgentSubcommands {
  CLI::App* run = nullptr;
  CLI::App* describe = nullptr;
  CLI::App* version = nullptr;
};

// Registers the subcommands and their flags on `app`, parsing into `run` and `describe` (which must outlive it),
// exactly one subcommand required, and --version.
AgentSubcommands define_agent_cli(CLI::App& app, AgentRunArgs& run, AgentDescribeArgs& describe);

}  // namespace dli

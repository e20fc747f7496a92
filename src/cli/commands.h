// Registration of the command groups (one file per group).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"

namespace berth::cli {

void addImageCommands(Command& root);
void addSystemCommands(Command& root);
void addContainerCommands(Command& root);
void addRegistryCommands(Command& root);
void addManifestCommands(Command& root);
void addNetworkCommands(Command& root);
void addVolumeCommands(Command& root);
void addSecretCommands(Command& root);
void addHealthcheckCommands(Command& root);
void addPodCommands(Command& root);
void addKubeCommands(Command& root);
// build, image build, buildx build (build_cmd.cc); after addImageCommands.
void addBuildCommands(Command& root);
// Added after addContainerCommands: they also join its "container" group.
void addCopyCommands(Command& root);
void addFilesystemCommands(Command& root);
void addEventsCommands(Command& root);
void addStatsCommands(Command& root);
void addSystemAdminCommands(Command& root);
// The command line as typed, recorded as the container's CreateCommand.
void setRawArgv(std::vector<std::string> argv);
const std::vector<std::string>& rawArgv();
std::unique_ptr<Command> topLevelInspect();
// `image trust set|show` (trust_cmd.cc).
std::unique_ptr<Command> trustCommand();
// `system service` (service_cmd.cc).
std::unique_ptr<Command> serviceCommand();
// `system connection` and its docker-style twin `context` (connection_cmd.cc).
std::unique_ptr<Command> connectionCommand();
std::unique_ptr<Command> contextCommand();

}  // namespace berth::cli

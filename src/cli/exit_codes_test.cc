// Unit tests for the error -> exit code table (podman's conventions).
#include "cli/exit_codes.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

Error err(Code c) { return Error(c, "x"); }

TEST(ExitCode, CommandPhase) {
  EXPECT_EQ(exitCode(err(Code::kCommandNotFound)), 127);
  EXPECT_EQ(exitCode(err(Code::kCannotInvoke)), 126);
  EXPECT_EQ(exitCode(err(Code::kNotFound)), 125);
  EXPECT_EQ(exitCode(err(Code::kInvalidArgument)), 125);
  EXPECT_EQ(exitCode(err(Code::kInternal)), 125);
}

TEST(ExitCode, RunStartIsCannotInvokeUnlessNotFound) {
  EXPECT_EQ(exitCode(err(Code::kCommandNotFound), Phase::kRunStart), 127);
  EXPECT_EQ(exitCode(err(Code::kCannotInvoke), Phase::kRunStart), 126);
  EXPECT_EQ(exitCode(err(Code::kInternal), Phase::kRunStart), 126);
}

TEST(ExitCode, StartIsAlwaysEngineError) {
  EXPECT_EQ(exitCode(err(Code::kCommandNotFound), Phase::kStart), 125);
  EXPECT_EQ(exitCode(err(Code::kCannotInvoke), Phase::kStart), 125);
}

int removeCode(RemoveExitCode::Kind kind, std::initializer_list<Code> codes) {
  RemoveExitCode rc(kind);
  for (Code c : codes) rc.add(err(c));
  return rc.code();
}

TEST(RemoveExitCode, Containers) {
  using K = RemoveExitCode::Kind;
  EXPECT_EQ(removeCode(K::kContainer, {}), 0);
  EXPECT_EQ(removeCode(K::kContainer, {Code::kNotFound}), 1);
  EXPECT_EQ(removeCode(K::kContainer, {Code::kConflict}), 2);
  EXPECT_EQ(removeCode(K::kContainer, {Code::kFailedPrecondition}), 2);
  EXPECT_EQ(removeCode(K::kContainer, {Code::kInternal}), 125);
  // "no such container" wins over everything, "in use" over other failures.
  EXPECT_EQ(removeCode(K::kContainer, {Code::kConflict, Code::kNotFound}), 1);
  EXPECT_EQ(removeCode(K::kContainer, {Code::kInternal, Code::kConflict}), 2);
  EXPECT_EQ(removeCode(K::kContainer, {Code::kInternal, Code::kNotFound}), 1);
}

TEST(RemoveExitCode, Images) {
  using K = RemoveExitCode::Kind;
  EXPECT_EQ(removeCode(K::kImage, {}), 0);
  EXPECT_EQ(removeCode(K::kImage, {Code::kNotFound}), 1);
  EXPECT_EQ(removeCode(K::kImage, {Code::kFailedPrecondition}), 2);
  // An image with several tags removed by ID is not "in use".
  EXPECT_EQ(removeCode(K::kImage, {Code::kConflict}), 125);
  // "in use" wins; "no such image" counts only alone.
  EXPECT_EQ(removeCode(K::kImage, {Code::kNotFound, Code::kFailedPrecondition}), 2);
  EXPECT_EQ(removeCode(K::kImage, {Code::kNotFound, Code::kInternal}), 125);
  EXPECT_EQ(removeCode(K::kImage, {Code::kNotFound, Code::kNotFound}), 1);
}

}  // namespace
}  // namespace berth::cli

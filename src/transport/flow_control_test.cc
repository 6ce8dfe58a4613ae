#include "src/transport/flow_control.h"

#include <gtest/gtest.h>

namespace loopcheck {
namespace {

struct CountingProtocol final : BaseProtocol {
  void connection_lost(std::optional<Error>) override {}
  void pause_writing() override { ++pauses; }
  void resume_writing() override { ++resumes; }
  int pauses = 0;
  int resumes = 0;
};

TEST(WriteFlowControl, DefaultsAre64KiBAndAQuarter) {
  WriteFlowControl flow;
  EXPECT_EQ(flow.limits().high, 64u * 1024);
  EXPECT_EQ(flow.limits().low, 16u * 1024);
}

TEST(WriteFlowControl, MissingHighIsFourTimesLow) {
  WriteFlowControl flow;
  ASSERT_FALSE(flow.set_limits(std::nullopt, 100));
  EXPECT_EQ(flow.limits().high, 400u);
  EXPECT_EQ(flow.limits().low, 100u);
}

TEST(WriteFlowControl, HighBelowLowIsAClearErrorAndChangesNothing) {
  WriteFlowControl flow;
  Status status = flow.set_limits(10, 20);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
  EXPECT_NE(status->message.find("high (10) must be >= low (20)"), std::string::npos);
  EXPECT_EQ(flow.limits().high, 64u * 1024);
}

TEST(WriteFlowControl, PauseAboveHighResumeAtLowAlternating) {
  WriteFlowControl flow;
  CountingProtocol protocol;
  ASSERT_FALSE(flow.set_limits(100, 25));
  flow.maybe_pause(100, protocol);
  EXPECT_EQ(protocol.pauses, 0) << "pause only above high";
  flow.maybe_pause(101, protocol);
  flow.maybe_pause(500, protocol);
  EXPECT_EQ(protocol.pauses, 1) << "never twice in a row";
  flow.maybe_resume(26, protocol);
  EXPECT_EQ(protocol.resumes, 0) << "resume only at low or below";
  flow.maybe_resume(25, protocol);
  flow.maybe_resume(0, protocol);
  EXPECT_EQ(protocol.resumes, 1);
}

}  // namespace
}  // namespace loopcheck

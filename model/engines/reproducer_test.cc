// Reproducer files: round trip, and a clear error naming the line for every kind of bad input.
#include "model/engines/reproducer.h"

#include <gtest/gtest.h>

namespace loopcheck {
namespace {

std::string good_file() {
  return "# a comment\n"
         "version: 1\n"
         "scenario: dgram-drain\n"
         "params: count=3\n"
         "bugs: dgram-drain\n"
         "max-steps: 300\n"
         "expect: O10\n"
         "engine: exhaustive\n"
         "choices:\n"
         "preempt 1/2\n"
         "deliver 0/3\n";
}

ReproducerError error_of(const std::string& text) {
  auto parsed = parse_reproducer(text);
  EXPECT_TRUE(std::holds_alternative<ReproducerError>(parsed)) << text;
  return std::holds_alternative<ReproducerError>(parsed) ? std::get<ReproducerError>(parsed)
                                                         : ReproducerError{};
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(Reproducer, ParsesAWellFormedFile) {
  auto parsed = parse_reproducer(good_file());
  ASSERT_TRUE(std::holds_alternative<Reproducer>(parsed));
  const Reproducer& r = std::get<Reproducer>(parsed);
  EXPECT_EQ(r.scenario, "dgram-drain");
  EXPECT_EQ(r.params.at("count"), 3);
  EXPECT_EQ(r.bugs, std::vector<std::string>{"dgram-drain"});
  EXPECT_EQ(r.expect, Oracle::O10);
  ASSERT_EQ(r.choices.size(), 2u);
  EXPECT_EQ(r.choices[0].kind, ChoiceKind::preempt);
  EXPECT_EQ(r.choices[0].value, 1u);
  EXPECT_EQ(r.choices[1].range, 3u);
}

TEST(Reproducer, WriteThenParseIsTheIdentity) {
  const Reproducer first = std::get<Reproducer>(parse_reproducer(good_file()));
  const std::string text = write_reproducer(first);
  const Reproducer second = std::get<Reproducer>(parse_reproducer(text));
  EXPECT_EQ(write_reproducer(second), text);
}

TEST(Reproducer, ErrorsNameTheLine) {
  EXPECT_EQ(error_of(replace(good_file(), "scenario: dgram-drain", "scenario: nope")).line, 3u);
  EXPECT_EQ(error_of(replace(good_file(), "bugs: dgram-drain", "bugs: bpo-0")).line, 5u);
  EXPECT_EQ(error_of(replace(good_file(), "params: count=3", "params: count=x")).line, 4u);
  EXPECT_EQ(error_of(replace(good_file(), "params: count=3", "params: colour=3")).line, 4u);
  EXPECT_EQ(error_of(replace(good_file(), "expect: O10", "expect: O99")).line, 7u);
  EXPECT_EQ(error_of(replace(good_file(), "preempt 1/2", "preempt 2/2")).line, 10u);
  EXPECT_EQ(error_of(replace(good_file(), "deliver 0/3", "teleport 0/3")).line, 11u);
  EXPECT_EQ(error_of(replace(good_file(), "deliver 0/3", "deliver zero")).line, 11u);
  EXPECT_EQ(error_of(replace(good_file(), "engine: exhaustive", "colour: blue")).line, 8u);
  EXPECT_EQ(error_of(replace(good_file(), "engine: exhaustive", "just words")).line, 8u);
  EXPECT_EQ(error_of(replace(good_file(), "version: 1", "version: 2")).line, 2u);
}

TEST(Reproducer, MissingPartsAreErrorsForTheWholeFile) {
  EXPECT_NE(error_of(replace(good_file(), "version: 1\n", "")).message.find("version"), std::string::npos);
  EXPECT_NE(error_of(replace(good_file(), "scenario: dgram-drain\n", "")).message.find("scenario"),
            std::string::npos);
  EXPECT_NE(error_of("version: 1\nscenario: dgram-drain\n").message.find("choices"), std::string::npos);
  EXPECT_FALSE(error_of("").message.empty());
}

TEST(Reproducer, AMultiLineNoteStaysAComment) {
  Reproducer r = std::get<Reproducer>(parse_reproducer(good_file()));
  r.note = "expected \"OK a\nOK b\n\" but got \"OK a\nb\n\"";
  auto again = parse_reproducer(write_reproducer(r));
  ASSERT_TRUE(std::holds_alternative<Reproducer>(again)) << write_reproducer(r);
  EXPECT_EQ(std::get<Reproducer>(again).choices.size(), 2u);
}

TEST(Reproducer, HeaderNumbersAndNamesHaveRanges) {
  EXPECT_EQ(error_of(replace(good_file(), "max-steps: 300", "max-steps: 99999999999")).line, 6u);
  EXPECT_EQ(error_of(replace(good_file(), "version: 1\n", "version: 1\nprogram: rm -rf /\n")).line, 3u);
}

TEST(Reproducer, NamesTheProgramThatWroteIt) {
  Reproducer r = std::get<Reproducer>(parse_reproducer(good_file()));
  EXPECT_EQ(r.program, "loopcheck");  // files without the line are the stock CLI's
  r.program = "line_check";
  std::string text = write_reproducer(r);
  EXPECT_NE(text.find("program: line_check\n"), std::string::npos);
  EXPECT_EQ(std::get<Reproducer>(parse_reproducer(text)).program, "line_check");
}

TEST(Reproducer, AScenarioOfAnotherProgramNamesThatProgram) {
  std::string text = replace(good_file(), "scenario: dgram-drain", "program: line_check\nscenario: line-echo");
  ReproducerError error = error_of(text);
  EXPECT_EQ(error.line, 4u);
  EXPECT_NE(error.message.find("written by 'line_check'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("line_check replay"), std::string::npos) << error.message;
  // The same file from this program: just unknown.
  ReproducerError plain = error_of(replace(good_file(), "scenario: dgram-drain", "scenario: line-echo"));
  EXPECT_EQ(plain.message.find("written by"), std::string::npos) << plain.message;
}

}  // namespace
}  // namespace loopcheck

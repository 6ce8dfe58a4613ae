// Test support for the transport tests: protocols that record every callback they get, so a
// test can assert on what a transport did rather than on how.
#pragma once

#include <optional>
#include <vector>

#include "src/core/protocol.h"
#include "src/core/transport.h"

namespace loopcheck {

struct RecordingProtocol final : Protocol {
  void connection_made(Transport& t) override { transport = &t; }
  void data_received(BytesView data) override {
    received += data;
    ++data_calls;
  }
  bool eof_received() override {
    ++eofs;
    return keep_open;
  }
  void connection_lost(std::optional<Error> error) override {
    ++lost;
    lost_error = error;
  }
  void pause_writing() override { ++pauses; }
  void resume_writing() override { ++resumes; }
  Transport* transport = nullptr;
  Bytes received;
  bool keep_open = false;  // what eof_received() answers
  int data_calls = 0, eofs = 0, lost = 0, pauses = 0, resumes = 0;
  std::optional<Error> lost_error;
};

struct RecordingDatagramProtocol final : DatagramProtocol {
  void connection_made(DatagramTransport& t) override { transport = &t; }
  void datagram_received(BytesView data, const Address& from) override {
    received.emplace_back(data);
    senders.push_back(from);
  }
  void error_received(const Error& error) override { errors.push_back(error); }
  void connection_lost(std::optional<Error> error) override {
    ++lost;
    lost_error = error;
  }
  void pause_writing() override { ++pauses; }
  void resume_writing() override { ++resumes; }
  DatagramTransport* transport = nullptr;
  std::vector<Bytes> received;
  std::vector<Address> senders;
  std::vector<Error> errors;
  int lost = 0, pauses = 0, resumes = 0;
  std::optional<Error> lost_error;
};

}  // namespace loopcheck

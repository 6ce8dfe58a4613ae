#include "line_server.h"

namespace line_protocol {

void LineServer::data_received(loopcheck::BytesView data) {
  if (bugs_.on("line-split")) {
    // Bug: assumes TCP delivers one line per chunk. It does not: a chunk may hold half a line,
    // or several.
    if (!data.empty() && data.back() == '\n') data.remove_suffix(1);
    reply(data);
    return;
  }
  partial_.append(data);
  std::size_t start = 0;
  for (std::size_t end; (end = partial_.find('\n', start)) != std::string::npos; start = end + 1) {
    reply(std::string_view(partial_).substr(start, end - start));
  }
  partial_.erase(0, start);
}

void LineServer::reply(std::string_view line) {
  std::string answer = "OK ";
  answer.append(line);
  answer += '\n';
  (void)transport_->write(answer);
}

}  // namespace line_protocol

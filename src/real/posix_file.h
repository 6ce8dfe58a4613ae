// A file on disk for loop.sendfile on real sockets: its fileno is a real descriptor, so the
// native path's os.sendfile (PosixSockets::sendfile) sends it from the page cache, and the
// fallback reads it with read(2) at its position, as asyncio's file.readinto does.
#pragma once

#include <memory>

#include "src/core/file_object.h"
#include "src/core/socket_api.h"

namespace loopcheck {

class PosixFile final : public FileObject {
 public:
  // An unlinked temporary file (under $TMPDIR, else /tmp) holding `content`, positioned at 0.
  static IoResult<std::unique_ptr<PosixFile>> temporary(BytesView content);
  ~PosixFile() override;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  std::optional<int> fileno() const override { return fd_; }
  std::uint64_t size() const override;
  Bytes read(std::size_t n) override;
  void seek(std::uint64_t position) override;
  std::uint64_t tell() const override;
  Bytes pread(std::uint64_t offset, std::size_t n) const override;
  void fingerprint(StateHasher& h) const override { h.value(tell()); }

 private:
  explicit PosixFile(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace loopcheck

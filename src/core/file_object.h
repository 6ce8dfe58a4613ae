// The file that loop.sendfile sends: asyncio's file object, reduced to what sendfile touches.
// It has a position (read advances it, seek sets it), because asyncio's fallback reads at the
// position and leaves it after what was sent; os.sendfile reads at an explicit offset and moves
// nothing, which pread stands for. fileno() is empty for a file os.sendfile cannot serve (a
// BytesIO, a pipe): asyncio's "not a regular file", which sends it down the fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "src/core/bytes.h"
#include "src/core/state_hasher.h"

namespace loopcheck {

class FileObject : public Fingerprinted {
 public:
  virtual std::optional<int> fileno() const = 0;
  virtual std::uint64_t size() const = 0;                               // os.fstat().st_size
  virtual Bytes read(std::size_t n) = 0;                                // file.readinto, at the position
  virtual void seek(std::uint64_t position) = 0;                        // file.seek(position)
  virtual std::uint64_t tell() const = 0;                               // file.tell()
  virtual Bytes pread(std::uint64_t offset, std::size_t n) const = 0;  // what os.sendfile reads
};

// A file held in memory: the model's files and the tests'. `regular` says whether os.sendfile
// could serve it (a real file on disk) or not (a BytesIO). A regular one's fileno is a
// placeholder, no descriptor: SocketApi's default sendfile, which reads it through pread, is
// what serves it (the real binding's sendfile(2) takes only a PosixFile).
class MemoryFile final : public FileObject {
 public:
  MemoryFile(Bytes content, bool regular) : content_(std::move(content)), regular_(regular) {}
  std::optional<int> fileno() const override { return regular_ ? std::optional<int>(0) : std::nullopt; }
  std::uint64_t size() const override { return content_.size(); }
  Bytes read(std::size_t n) override {
    Bytes out = pread(position_, n);
    position_ += out.size();
    return out;
  }
  void seek(std::uint64_t position) override { position_ = position; }
  std::uint64_t tell() const override { return position_; }
  Bytes pread(std::uint64_t offset, std::size_t n) const override {
    if (offset >= content_.size()) return {};
    return content_.substr(static_cast<std::size_t>(offset), n);
  }
  void fingerprint(StateHasher& h) const override { h.value(position_); }

 private:
  Bytes content_;
  bool regular_;
  std::uint64_t position_ = 0;
};

}  // namespace loopcheck

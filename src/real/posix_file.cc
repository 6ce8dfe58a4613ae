#include "src/real/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "src/real/errno_error.h"

namespace loopcheck {

IoResult<std::unique_ptr<PosixFile>> PosixFile::temporary(BytesView content) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/loopcheck-sendfile-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return error_from_errno(errno, "mkostemp");
  (void)::unlink(path.c_str());
  std::unique_ptr<PosixFile> file(new PosixFile(fd));
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error_from_errno(errno, "write");
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  file->seek(0);
  return file;
}

PosixFile::~PosixFile() { ::close(fd_); }

std::uint64_t PosixFile::size() const {
  struct stat st {};
  return ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

Bytes PosixFile::read(std::size_t n) {
  Bytes out(n, '\0');
  ssize_t got;
  do {
    got = ::read(fd_, out.data(), n);
  } while (got < 0 && errno == EINTR);
  out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return out;
}

void PosixFile::seek(std::uint64_t position) { (void)::lseek(fd_, static_cast<off_t>(position), SEEK_SET); }

std::uint64_t PosixFile::tell() const {
  off_t at = ::lseek(fd_, 0, SEEK_CUR);
  return at < 0 ? 0 : static_cast<std::uint64_t>(at);
}

Bytes PosixFile::pread(std::uint64_t offset, std::size_t n) const {
  Bytes out(n, '\0');
  ssize_t got;
  do {
    got = ::pread(fd_, out.data(), n, static_cast<off_t>(offset));
  } while (got < 0 && errno == EINTR);
  out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  return out;
}

}  // namespace loopcheck

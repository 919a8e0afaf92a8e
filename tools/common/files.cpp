// SPDX-License-Identifier: Apache-2.0
#include "files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.hpp"

namespace dnie::cli {

namespace {

Error file_error(const std::string& path, const std::string& what) {
  return Error(ErrorCode::InvalidArgument, for_terminal(path) + ": " + what);
}

Error errno_error(const std::string& path, const char* op, int err) {
  return file_error(path, std::string(op) + ": " + std::strerror(err));
}

Status write_all(int fd, ByteView data, const std::string& path) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(path, "cannot write", errno);
    off += static_cast<std::size_t>(n);
  }
  return ok_status();
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The last resort where neither renameat2(RENAME_NOREPLACE) nor link(2) work (FAT, some FUSE
// file systems): O_CREAT|O_EXCL|O_NOFOLLOW on the final path itself.
Status write_exclusive(const std::string& path, ByteView data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return file_error(path, "exists; pass --force to overwrite it");
    return errno_error(path, "cannot create", errno);
  }
  Status st = write_all(fd, data, path);
  if (st && ::fsync(fd) != 0) st = errno_error(path, "cannot write", errno);
  ::close(fd);
  if (!st) ::unlink(path.c_str());
  return st;
}

}  // namespace

Status write_private_file(const std::string& path, ByteView data, bool overwrite) {
  if (path == "-") {
    if (!data.empty() && std::fwrite(data.data(), 1, data.size(), stdout) != data.size())
      return file_error("standard output", "cannot write");
    std::fflush(stdout);
    return ok_status();
  }
  if (path.empty() || path.back() == '/') return file_error(path, "not a file name");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return file_error(path, "is a symbolic link; refusing to write through it");
    if (!S_ISREG(st.st_mode)) return file_error(path, "exists and is not a regular file");
    if (!overwrite) return file_error(path, "exists; pass --force to overwrite it");
  } else if (errno != ENOENT) {
    return errno_error(path, "cannot inspect", errno);
  }

  std::string tmp = dir_of(path) + "/." + base_of(path) + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600 whatever the umask
  if (fd < 0) return errno_error(path, "cannot create", errno);
  Status w = write_all(fd, data, path);
  if (w && ::fsync(fd) != 0) w = errno_error(path, "cannot write", errno);
  if (::close(fd) != 0 && w) w = errno_error(path, "cannot write", errno);
  if (!w) {
    ::unlink(tmp.c_str());
    return w;
  }
  if (overwrite) {
    // rename(2) replaces the name itself: a link planted since the check is replaced, not followed.
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      return errno_error(path, "cannot replace", err);
    }
    return ok_status();
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return ok_status();
  int err = errno;
  if (err == EINVAL || err == ENOSYS || err == ENOTSUP) {
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      ::unlink(tmp.c_str());
      return ok_status();
    }
    err = errno;
    if (err != EEXIST) {
      ::unlink(tmp.c_str());
      return write_exclusive(path, data);
    }
  }
  ::unlink(tmp.c_str());
  if (err == EEXIST) return file_error(path, "exists; pass --force to overwrite it");
  return errno_error(path, "cannot create", err);
}

Status make_private_dir(const std::string& path) {
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "d/" would make lstat follow a link
  if (dir.empty()) return file_error(path, "no directory name");
  // Missing parents first (each 0700), then the directory itself.
  for (std::size_t pos = dir.find('/', 1); pos != std::string::npos; pos = dir.find('/', pos + 1)) {
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return errno_error(prefix, "cannot create", errno);
  }
  if (::mkdir(dir.c_str(), 0700) == 0) {
    (void)::chmod(dir.c_str(), 0700);  // whatever the umask
    return ok_status();
  }
  if (errno != EEXIST) return errno_error(dir, "cannot create", errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return errno_error(dir, "cannot inspect", errno);
  if (S_ISLNK(st.st_mode)) return file_error(dir, "is a symbolic link; refusing to write through it");
  if (!S_ISDIR(st.st_mode)) return file_error(dir, "exists and is not a directory");
  return ok_status();
}

Result<Bytes> read_input_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error(path, "cannot open", errno);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return file_error(path, "is a directory");
  }
  Bytes out;
  std::uint8_t buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return errno_error(path, "cannot read", err);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return file_error(path, "larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Status write_lds_dump(const icao::LdsContent& doc, const std::string& dir, bool overwrite) {
  DNIE_TRY(make_private_dir(dir));
  if (!doc.com.empty()) DNIE_TRY(write_private_file(dir + "/EF_COM.bin", doc.com, overwrite));
  if (!doc.sod.empty()) DNIE_TRY(write_private_file(dir + "/EF_SOD.bin", doc.sod, overwrite));
  for (const auto& [n, b] : doc.dgs)
    DNIE_TRY(write_private_file(dir + "/DG" + std::to_string(n) + ".bin", b, overwrite));
  return ok_status();
}

}  // namespace dnie::cli

// SPDX-License-Identifier: Apache-2.0
// Settings of libdnie-pkcs11.so: the per-user file (XDG Base Directory layout), environment
// overrides, and the log sink writing to the configured file and/or stderr.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include "p11_config.hpp"

namespace dnie::p11 {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<LogLevel> parse_level(std::string_view v) {
  const std::string l = lower(v);
  if (l == "debug") return LogLevel::Debug;
  if (l == "info") return LogLevel::Info;
  if (l == "warning" || l == "warn") return LogLevel::Warning;
  if (l == "error") return LogLevel::Error;
  return std::nullopt;
}

std::string expand_home(std::string_view v) {
  if (v.size() >= 2 && v[0] == '~' && v[1] == '/')
    if (const char* home = env("HOME")) return std::string(home) + std::string(v.substr(1));
  return std::string(v);
}

bool valid_profile(std::string_view p) {
  if (p.empty()) return false;
  for (char c : p)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

// One setting from the file or the environment; `origin` names it in notes.
void apply(Config& cfg, std::string_view key, std::string_view value, const std::string& origin) {
  auto bad = [&](const char* what) {
    cfg.notes.push_back(origin + ": " + std::string(key) + ": " + what + " (ignored)");
  };
  if (key == "can") {
    // Remembered only because the user wrote it there; never logged. Checked when used.
    cfg.can = SecureBuffer::from_string(value);
    cfg.can_source = origin;
  } else if (key == "readers") {
    cfg.readers = std::string(value);
  } else if (key == "virtual") {
    if (auto b = parse_switch(value))
      cfg.virtual_card = *b;
    else
      bad("expected on or off");
  } else if (key == "virtual_profile") {
    if (valid_profile(value))
      cfg.virtual_profile = std::string(value);
    else
      bad("a profile name is letters, digits, '-' and '_'");
  } else if (key == "log_file") {
    cfg.log_file = expand_home(value);
  } else if (key == "log_level") {
    if (auto l = parse_level(value))
      cfg.log_level = *l;
    else
      bad("expected debug, info, warning or error");
  } else if (key == "allow_last_try") {
    if (auto b = parse_switch(value))
      cfg.allow_last_try = *b;
    else
      bad("expected on or off");
  } else if (key == "prompt") {
    std::string p = expand_home(value);
    if (!p.empty() && p[0] != '/')
      bad("the prompt program must be an absolute path (it is run without a shell or PATH search)");
    else
      cfg.prompt = std::move(p);
  } else if (key == "confirm_sign") {
    if (auto b = parse_switch(value))
      cfg.confirm_sign = *b;
    else
      bad("expected on or off");
  } else if (key == "prompt_timeout") {
    char* end = nullptr;
    const std::string v(value);
    const long n = std::strtol(v.c_str(), &end, 10);
    if (end && *end == '\0' && n >= 1 && n <= 600)
      cfg.prompt_timeout_s = static_cast<int>(n);
    else
      bad("expected seconds between 1 and 600");
  } else {
    cfg.notes.push_back(origin + ": unknown key '" + std::string(key) + "' (ignored)");
  }
}

// The file's bytes, only when it is a regular file owned by us with no group/other access.
std::optional<SecureBuffer> read_private_file(const std::string& path, std::vector<std::string>& notes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno != ENOENT) notes.push_back(path + ": cannot be opened (" + std::strerror(errno) + "); ignored");
    return std::nullopt;
  }
  struct stat st {};
  std::optional<SecureBuffer> out;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    notes.push_back(path + ": not a regular file; ignored");
  } else if (st.st_uid != ::geteuid()) {
    notes.push_back(path + ": not owned by this user; ignored");
  } else if ((st.st_mode & 077) != 0) {
    notes.push_back(path + ": readable or writable by others (run: chmod 600 " + path + "); ignored");
  } else if (st.st_size > 64 * 1024) {
    notes.push_back(path + ": larger than 64 KiB; ignored");
  } else {
    SecureBuffer buf(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < buf.size()) {
      const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    buf.truncate(got);
    out = std::move(buf);
  }
  ::close(fd);
  return out;
}

// ---- log sink ------------------------------------------------------------------------------

struct LogTarget {
  std::mutex mutex;
  int fd = -1;
  bool to_stderr = false;
  ~LogTarget() {
    if (fd >= 0) ::close(fd);
  }
  void write_line(LogLevel level, std::string_view component, std::string_view message) {
    char stamp[32] = "";
    const std::time_t now = std::time(nullptr);
    struct tm tm {};
    if (gmtime_r(&now, &tm)) std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = std::string(stamp) + " dnie-pkcs11[" + std::to_string(::getpid()) + "] " +
                       std::string(log_level_name(level)) + " " + std::string(component) + ": ";
    // One message, one line: control characters (from card data, say) become spaces.
    for (char c : message) line.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
    line.push_back('\n');
    std::lock_guard<std::mutex> lock(mutex);
    if (fd >= 0) (void)!::write(fd, line.data(), line.size());
    if (to_stderr) (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
};

}  // namespace

std::optional<bool> parse_switch(std::string_view v) {
  const std::string l = lower(trim(v));
  if (l == "on" || l == "yes" || l == "true" || l == "1") return true;
  if (l == "off" || l == "no" || l == "false" || l == "0") return false;
  return std::nullopt;
}

std::string config_path() {
  if (const char* p = env("DNIE_PKCS11_CONFIG")) return p;
  if (const char* x = env("XDG_CONFIG_HOME"); x && x[0] == '/') return std::string(x) + "/dnie/pkcs11.conf";
  if (const char* home = env("HOME")) return std::string(home) + "/.config/dnie/pkcs11.conf";
  return {};
}

void parse_config_text(std::string_view text, const std::string& origin, Config& cfg) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t eq = line.find('=');
    const std::string where = origin + ":" + std::to_string(line_no);
    if (eq == std::string_view::npos) {
      cfg.notes.push_back(where + ": expected 'key = value' (ignored)");
      continue;
    }
    apply(cfg, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), where);
  }
}

Config load_config() {
  Config cfg;
  const std::string path = config_path();
  if (!path.empty()) {
    if (auto content = read_private_file(path, cfg.notes)) {
      cfg.file = path;
      parse_config_text(std::string_view(reinterpret_cast<const char*>(content->data()), content->size()),
                        path, cfg);
    }
  }
  // The environment overrides the file, key by key.
  const struct {
    const char* var;
    const char* key;
  } overrides[] = {{"DNIE_CAN", "can"},
                   {"DNIE_PKCS11_READERS", "readers"},
                   {"DNIE_PKCS11_VIRTUAL", "virtual"},
                   {"DNIE_VCARD_PROFILE", "virtual_profile"},
                   {"DNIE_PKCS11_LOG_FILE", "log_file"},
                   {"DNIE_PKCS11_LOG_LEVEL", "log_level"},
                   {"DNIE_ALLOW_LAST_TRY", "allow_last_try"},
                   {"DNIE_PKCS11_PROMPT", "prompt"},
                   {"DNIE_PKCS11_CONFIRM_SIGN", "confirm_sign"},
                   {"DNIE_PKCS11_PROMPT_TIMEOUT", "prompt_timeout"}};
  for (const auto& o : overrides)
    if (const char* v = env(o.var)) apply(cfg, o.key, trim(v), o.var);
  if (const char* d = env("DNIE_PKCS11_DEBUG"); d && parse_switch(d) != false) {
    cfg.log_stderr = true;
    if (!env("DNIE_PKCS11_LOG_LEVEL")) cfg.log_level = LogLevel::Debug;
  }
  return cfg;
}

void install_log_sink(const Config& cfg) {
  auto target = std::make_shared<LogTarget>();
  target->to_stderr = cfg.log_stderr;
  std::string open_error;
  if (!cfg.log_file.empty()) {
    target->fd = ::open(cfg.log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (target->fd < 0) open_error = cfg.log_file + ": " + std::strerror(errno);
  }
  if (target->fd < 0 && !target->to_stderr) {
    set_log_sink(nullptr);
    return;
  }
  set_log_sink([target](LogLevel l, std::string_view c, std::string_view m) { target->write_line(l, c, m); },
               cfg.log_level);
  if (!open_error.empty()) log(LogLevel::Error, "pkcs11", "cannot open the log file " + open_error);
}

void remove_log_sink() { set_log_sink(nullptr); }

}  // namespace dnie::p11

// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/result.hpp
// Result<T>: a value or an Error, the return type of every fallible call in the SDK. Its API is
// a subset of std::expected so it can migrate later. No exceptions are thrown: value() on an
// error is a programming bug and aborts with the error text. error() on a success (Result<T> and
// Status alike) is also a bug: it returns an InternalError ("error() called on a success"), never
// an Error with code Ok, so a misplaced `return r.error();` still reports a failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

#include "dnie/bytes/error.hpp"

namespace dnie {

namespace detail {
[[noreturn]] void result_access_failed(const Error& e) noexcept;
/// What error() returns on a success: InternalError, "error() called on a success".
inline const Error& error_of_success() {
  static const Error e(ErrorCode::InternalError, "error() called on a success");
  return e;
}
}  // namespace detail

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference<T>::value, "Result<T&> is not supported");
  static_assert(!std::is_same<T, Error>::value, "Result<Error> is ambiguous");

 public:
  using value_type = T;

  Result(const T& v) : m_ok(true) { new (&m_value) T(v); }               // NOLINT implicit
  Result(T&& v) : m_ok(true) { new (&m_value) T(std::move(v)); }         // NOLINT implicit
  Result(Error e) : m_ok(false) { new (&m_error) Error(std::move(e)); }  // NOLINT implicit
  template <typename U, typename = std::enable_if_t<std::is_constructible<T, U&&>::value &&
                                                    !std::is_same<std::decay_t<U>, T>::value &&
                                                    !std::is_same<std::decay_t<U>, Error>::value &&
                                                    !std::is_same<std::decay_t<U>, Result>::value>>
  Result(U&& v) : m_ok(true) {
    new (&m_value) T(std::forward<U>(v));
  }  // NOLINT implicit

  Result(const Result& o) : m_ok(o.m_ok) {
    if (m_ok)
      new (&m_value) T(o.m_value);
    else
      new (&m_error) Error(o.m_error);
  }
  Result(Result&& o) noexcept(std::is_nothrow_move_constructible<T>::value) : m_ok(o.m_ok) {
    if (m_ok)
      new (&m_value) T(std::move(o.m_value));
    else
      new (&m_error) Error(std::move(o.m_error));
  }
  Result& operator=(const Result& o) {
    if (this != &o) {
      destroy();
      m_ok = o.m_ok;
      if (m_ok)
        new (&m_value) T(o.m_value);
      else
        new (&m_error) Error(o.m_error);
    }
    return *this;
  }
  Result& operator=(Result&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    if (this != &o) {
      destroy();
      m_ok = o.m_ok;
      if (m_ok)
        new (&m_value) T(std::move(o.m_value));
      else
        new (&m_error) Error(std::move(o.m_error));
    }
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const noexcept { return m_ok; }
  bool has_value() const noexcept { return m_ok; }
  explicit operator bool() const noexcept { return m_ok; }

  T& value() & {
    check();
    return m_value;
  }
  const T& value() const& {
    check();
    return m_value;
  }
  T&& value() && {
    check();
    return std::move(m_value);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& dflt) const& {
    return m_ok ? m_value : static_cast<T>(std::forward<U>(dflt));
  }

  /// The error; calling it on a success is a bug (returns detail::error_of_success()).
  const Error& error() const& { return m_ok ? detail::error_of_success() : m_error; }
  Error error() && { return m_ok ? detail::error_of_success() : std::move(m_error); }

 private:
  void check() const {
    if (!m_ok) detail::result_access_failed(m_error);
  }
  void destroy() {
    if (m_ok)
      m_value.~T();
    else
      m_error.~Error();
  }
  bool m_ok;
  union {
    T m_value;
    Error m_error;
  };
};

/// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : m_ok(false), m_error(std::move(e)) {}  // NOLINT implicit
  bool ok() const noexcept { return m_ok; }
  bool has_value() const noexcept { return m_ok; }
  explicit operator bool() const noexcept { return m_ok; }
  void value() const {
    if (!m_ok) detail::result_access_failed(m_error);
  }
  /// The error; calling it on a success is a bug (returns detail::error_of_success()).
  const Error& error() const& { return m_ok ? detail::error_of_success() : m_error; }
  Error error() && { return m_ok ? detail::error_of_success() : std::move(m_error); }

 private:
  bool m_ok = true;
  Error m_error{ErrorCode::InternalError, ""};  // meaningful only when !m_ok
};

using Status = Result<void>;

/// Success value for Result<void>.
inline Status ok_status() { return Status(); }

}  // namespace dnie

#define DNIE_CONCAT_INNER_(a, b) a##b
#define DNIE_CONCAT_(a, b) DNIE_CONCAT_INNER_(a, b)

/// Propagate an error: DNIE_TRY(do_something());
#define DNIE_TRY(expr)                                       \
  do {                                                       \
    auto&& dnie_try_r_ = (expr);                             \
    if (!dnie_try_r_) return std::move(dnie_try_r_).error(); \
  } while (0)

/// Unwrap or propagate: DNIE_ASSIGN_OR_RETURN(auto x, parse(bytes));
#define DNIE_ASSIGN_OR_RETURN(lhs, expr) \
  DNIE_ASSIGN_OR_RETURN_IMPL_(DNIE_CONCAT_(dnie_aor_, __LINE__), lhs, expr)
#define DNIE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp) return std::move(tmp).error();          \
  lhs = std::move(tmp).value()

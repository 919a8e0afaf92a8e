# SPDX-License-Identifier: Apache-2.0
# cmake -DROOT=<source dir> -DCLANG_FORMAT=<clang-format-14> -DGIT=<git> -P CheckFormat.cmake
# Fails when a tracked C/C++ file deviates from .clang-format (the check fmt's lint job runs).
# Fix with: git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i
execute_process(COMMAND ${GIT} ls-files -- *.cpp *.hpp *.h *.c WORKING_DIRECTORY ${ROOT}
                OUTPUT_VARIABLE files RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "format check: git ls-files failed (not a git checkout?)")
endif()
string(REPLACE "\n" ";" files "${files}")
set(bad "")
foreach(f IN LISTS files)
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${f} WORKING_DIRECTORY ${ROOT}
                  RESULT_VARIABLE r OUTPUT_QUIET ERROR_QUIET)
  if(NOT r EQUAL 0)
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  list(LENGTH bad n)
  string(REPLACE ";" "\n  " shown "${bad}")
  message(FATAL_ERROR "${n} file(s) deviate from .clang-format:\n  ${shown}\n"
                      "run: clang-format -i <file> (clang-format 14)")
endif()
list(LENGTH files n)
message(STATUS "format check: ${n} files conform to .clang-format")

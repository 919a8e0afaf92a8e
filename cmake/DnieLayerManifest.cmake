# SPDX-License-Identifier: Apache-2.0
# dnie_read_layer_manifest(<file>): reads cmake/layers.txt (the layers, their levels, folders and
# allowed third-party libraries) into the caller's scope:
#   DNIE_LAYERS                 layer names, in file order
#   DNIE_LAYER_<name>_LEVEL     level (10 bytes ... 90 C API)
#   DNIE_LAYER_<name>_FOLDER    source folder, relative to the source root (src/...)
#   DNIE_LAYER_<name>_LINKS     third-party targets it may link (a list; empty for "-")
#   DNIE_LAYER_<name>_SUMMARY   one line for the docs
# Usable from a project and from `cmake -P` scripts.
macro(dnie_read_layer_manifest _dlm_file)
  set(DNIE_LAYERS "")
  file(STRINGS "${_dlm_file}" _dlm_lines ENCODING UTF-8)
  foreach(_dlm_line IN LISTS _dlm_lines)
    if(_dlm_line MATCHES "^[ \t]*(#|$)")
      continue()
    endif()
    if(NOT _dlm_line MATCHES "^([a-z0-9_]+)[ \t]+([0-9]+)[ \t]+(src/[a-z0-9_/]+)[ \t]+([^ \t]+)[ \t]+(.+)$")
      message(FATAL_ERROR "${_dlm_file}: cannot parse the line\n  ${_dlm_line}\n"
                          "expected: <layer> <level> <folder> <links|-> <summary>")
    endif()
    set(_dlm_name ${CMAKE_MATCH_1})
    if(_dlm_name IN_LIST DNIE_LAYERS)
      message(FATAL_ERROR "${_dlm_file}: layer ${_dlm_name} listed twice")
    endif()
    list(APPEND DNIE_LAYERS ${_dlm_name})
    set(DNIE_LAYER_${_dlm_name}_LEVEL ${CMAKE_MATCH_2})
    set(DNIE_LAYER_${_dlm_name}_FOLDER ${CMAKE_MATCH_3})
    set(DNIE_LAYER_${_dlm_name}_SUMMARY "${CMAKE_MATCH_5}")
    if(CMAKE_MATCH_4 STREQUAL "-")
      set(DNIE_LAYER_${_dlm_name}_LINKS "")
    else()
      string(REPLACE "," ";" DNIE_LAYER_${_dlm_name}_LINKS "${CMAKE_MATCH_4}")
    endif()
  endforeach()
  if(NOT DNIE_LAYERS)
    message(FATAL_ERROR "${_dlm_file}: no layers")
  endif()
endmacro()

# SPDX-License-Identifier: Apache-2.0
# One CMake target per layer, and a configure-time check that dependencies only point down.
#
#   dnie_add_layer(<name> [SHARED] SOURCES ... [CONDITIONAL ...] [PUBLIC ...] [PRIVATE ...])
#   dnie_skip_layer(<name> "<why>")
#
# dnie_add_layer() creates target dnie_<name> (alias dnie::<name>, exported as dnie::<name>) for
# a layer of cmake/layers.txt, called from that layer's folder; the level comes from the manifest.
# Every .cpp of the folder is in SOURCES, or in CONDITIONAL when the folder's CMakeLists.txt adds
# it under an option (target_sources); configure fails on one left out.
# A static archive, or a shared library with SHARED (the C API, the PKCS#11 module) or when
# DNIE_SHARED is on. An optional layer that is not built says so with dnie_skip_layer() (an option
# is off, a package is missing), which prints why. dnie_check_layers(), at the end of the
# configure step, fails when a target links a layer of the same or a higher level or a
# third-party target its manifest line does not allow, or when a manifest layer was neither
# added nor skipped (a folder left out of an add_subdirectory list).
include(DnieLayerManifest)
dnie_read_layer_manifest(${CMAKE_CURRENT_LIST_DIR}/layers.txt)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/layers.txt)

define_property(TARGET PROPERTY DNIE_LAYER
  BRIEF_DOCS "Layer level of a dnie target" FULL_DOCS "See cmake/DnieLayers.cmake")

function(dnie_add_layer name)
  cmake_parse_arguments(A "SHARED" "LEVEL" "SOURCES;CONDITIONAL;PUBLIC;PRIVATE" ${ARGN})
  if(NOT name IN_LIST DNIE_LAYERS)
    message(FATAL_ERROR "dnie_add_layer(${name}): no such layer in cmake/layers.txt (add its line there)")
  endif()
  if(DEFINED A_LEVEL)
    message(FATAL_ERROR "dnie_add_layer(${name}): LEVEL is not an argument; the level is in cmake/layers.txt")
  endif()
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "dnie_add_layer(${name}): unexpected arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT CMAKE_CURRENT_SOURCE_DIR STREQUAL "${PROJECT_SOURCE_DIR}/${DNIE_LAYER_${name}_FOLDER}")
    message(FATAL_ERROR "dnie_add_layer(${name}): called from ${CMAKE_CURRENT_SOURCE_DIR}, but "
                        "cmake/layers.txt puts the layer in ${DNIE_LAYER_${name}_FOLDER}")
  endif()
  set(A_LEVEL ${DNIE_LAYER_${name}_LEVEL})
  # Every .cpp of the layer's folder is listed (those of a nested layer's folder are its own).
  file(GLOB_RECURSE present RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  foreach(other IN LISTS DNIE_LAYERS)
    string(FIND "${DNIE_LAYER_${other}_FOLDER}" "${DNIE_LAYER_${name}_FOLDER}/" at)
    if(at EQUAL 0)
      file(RELATIVE_PATH nested ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${DNIE_LAYER_${other}_FOLDER})
      list(FILTER present EXCLUDE REGEX "^${nested}/")
    endif()
  endforeach()
  dnie_require_listed_(${CMAKE_CURRENT_SOURCE_DIR} "${present}" ${A_SOURCES} ${A_CONDITIONAL})
  set(tgt dnie_${name})
  if(A_SHARED OR DNIE_SHARED)
    add_library(${tgt} SHARED ${A_SOURCES})
  else()
    add_library(${tgt} STATIC ${A_SOURCES})
  endif()
  add_library(dnie::${name} ALIAS ${tgt})
  set_target_properties(${tgt} PROPERTIES
    EXPORT_NAME ${name}
    OUTPUT_NAME dnie_${name}
    DNIE_LAYER ${A_LEVEL}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR})
  target_include_directories(${tgt}
    PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE
      ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${tgt} PUBLIC cxx_std_17)
  if(A_PUBLIC)
    target_link_libraries(${tgt} PUBLIC ${A_PUBLIC})
  endif()
  if(A_PRIVATE)
    target_link_libraries(${tgt} PRIVATE ${A_PRIVATE})
  endif()
  set_property(GLOBAL APPEND PROPERTY DNIE_LAYER_TARGETS ${tgt})
endfunction()

function(dnie_skip_layer name why)
  if(NOT name IN_LIST DNIE_LAYERS)
    message(FATAL_ERROR "dnie_skip_layer(${name}): no such layer in cmake/layers.txt")
  endif()
  message(STATUS "dnie: layer ${name} not built: ${why}")
  set_property(GLOBAL APPEND PROPERTY DNIE_SKIPPED_LAYERS ${name})
endfunction()

function(_dnie_resolve out lib)
  set(${out} "" PARENT_SCOPE)
  string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
  if(TARGET ${lib})
    get_target_property(real ${lib} ALIASED_TARGET)
    if(NOT real)
      set(real ${lib})
    endif()
    get_target_property(lvl ${real} DNIE_LAYER)
    if(lvl)
      set(${out} ${real} PARENT_SCOPE)
    endif()
  endif()
endfunction()

function(dnie_check_layers)
  get_property(targets GLOBAL PROPERTY DNIE_LAYER_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(level ${t} DNIE_LAYER)
    get_target_property(l1 ${t} LINK_LIBRARIES)
    get_target_property(l2 ${t} INTERFACE_LINK_LIBRARIES)
    set(libs)
    if(l1)
      list(APPEND libs ${l1})
    endif()
    if(l2)
      list(APPEND libs ${l2})
    endif()
    get_target_property(lname ${t} EXPORT_NAME)
    foreach(lib IN LISTS libs)
      _dnie_resolve(dep "${lib}")
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" bare "${lib}")
      if(NOT dep AND bare MATCHES "::" AND NOT bare MATCHES "^dnie::" AND NOT bare IN_LIST DNIE_LAYER_${lname}_LINKS)
        message(FATAL_ERROR "Layer violation: ${t} links ${bare}, which its line in cmake/layers.txt "
                            "does not allow (links: ${DNIE_LAYER_${lname}_LINKS})")
      endif()
      if(dep)
        get_target_property(dlevel ${dep} DNIE_LAYER)
        if(NOT dlevel LESS level)
          message(FATAL_ERROR "Layer violation: ${t} (level ${level}) links ${dep} (level ${dlevel}). "
                              "Dependencies must point to lower layers (cmake/layers.txt).")
        endif()
      endif()
    endforeach()
  endforeach()
  get_property(skipped GLOBAL PROPERTY DNIE_SKIPPED_LAYERS)
  foreach(name IN LISTS DNIE_LAYERS)
    if(NOT TARGET dnie_${name} AND NOT name IN_LIST skipped)
      message(FATAL_ERROR "Layer ${name} (cmake/layers.txt, ${DNIE_LAYER_${name}_FOLDER}) was neither "
                          "added (dnie_add_layer) nor skipped with a reason (dnie_skip_layer): is its "
                          "folder missing from an add_subdirectory list?")
    endif()
  endforeach()
endfunction()

# dnie_require_listed(<dir> <glob> <file>...): sources and data files are listed explicitly in
# the CMakeLists.txt (no file(GLOB) to pick them up); this fails the configure step when <dir>
# holds a file matching <glob> that the list leaves out, so a new file is never silently unused.
function(dnie_require_listed dir pattern)
  file(GLOB present RELATIVE ${dir} CONFIGURE_DEPENDS ${dir}/${pattern})
  dnie_require_listed_(${dir} "${present}" ${ARGN})
endfunction()

function(dnie_require_listed_ dir present)
  set(missing "")
  foreach(f IN LISTS present)
    if(NOT f IN_LIST ARGN AND NOT "${dir}/${f}" IN_LIST ARGN)
      list(APPEND missing ${f})
    endif()
  endforeach()
  if(missing)
    message(FATAL_ERROR "${dir}: ${missing} not listed in ${CMAKE_CURRENT_LIST_FILE} (list it, or remove it)")
  endif()
endfunction()

# SPDX-License-Identifier: Apache-2.0
# One CMake target per layer, and a configure-time check that dependencies only point down.
#
#   dnie_add_layer(<name> LEVEL <n> [SHARED] SOURCES ... [PUBLIC ...] [PRIVATE ...])
#
# creates target dnie_<name> (alias dnie::<name>, exported as dnie::<name>) with the given layer
# level: a static archive, or a shared library with SHARED (the C API, the PKCS#11 module) or
# when DNIE_SHARED is on. Levels (docs/architecture.md):
#   10 bytes  20 crypto  30 apdu  40 transport  41 transport adapters + virtual card
#   50 sm  60 auth (PACE, CWA-14890, CA)  70 icao, esign  75 holder (certificate validation,
#   CAdES)  80 card (session)  85 vcard_session (the virtual card as a session reader)  90 c, pkcs11
# A target may link only targets of a strictly lower level. dnie_check_layers() enforces it.

define_property(TARGET PROPERTY DNIE_LAYER
  BRIEF_DOCS "Layer level of a dnie target" FULL_DOCS "See cmake/DnieLayers.cmake")

function(dnie_add_layer name)
  cmake_parse_arguments(A "SHARED" "LEVEL" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT A_LEVEL)
    message(FATAL_ERROR "dnie_add_layer(${name}): LEVEL is required")
  endif()
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
    foreach(lib IN LISTS libs)
      _dnie_resolve(dep "${lib}")
      if(dep)
        get_target_property(dlevel ${dep} DNIE_LAYER)
        if(NOT dlevel LESS level)
          message(FATAL_ERROR "Layer violation: ${t} (level ${level}) links ${dep} (level ${dlevel}). "
                              "Dependencies must point to lower layers (cmake/DnieLayers.cmake).")
        endif()
      endif()
    endforeach()
  endforeach()
endfunction()

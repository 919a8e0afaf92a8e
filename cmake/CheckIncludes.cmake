# SPDX-License-Identifier: Apache-2.0
# cmake -DROOT=<source dir> -P CheckIncludes.cmake
# Source-level layer check (complements dnie_check_layers() on link dependencies), with the
# layers, levels and allowed libraries of cmake/layers.txt:
#  * every file under src/ and include/dnie/ belongs to a layer of the manifest (by folder:
#    src/<folder>/..., include/dnie/<layer>/...);
#  * a file of layer L may include "dnie/<M>/..." only when M is a layer and level(M) <= level(L);
#  * a file may include a third-party library's headers only when its layer may link that
#    library (so only src/crypto includes mbedTLS or OpenSSL).
cmake_minimum_required(VERSION 3.21)  # policies (IN_LIST) in script mode
include(${CMAKE_CURRENT_LIST_DIR}/DnieLayerManifest.cmake)
dnie_read_layer_manifest(${CMAKE_CURRENT_LIST_DIR}/layers.txt)

# Header prefix -> the link target that provides it.
set(library_headers "mbedtls/=MbedTLS::" "psa/=MbedTLS::" "openssl/=OpenSSL::" "curl/=CURL::"
    "zlib.h=ZLIB::" "png.h=PNG::" "jpeglib.h=JPEG::" "openjpeg.h=PkgConfig::OPENJP2"
    "winscard.h=PkgConfig::PCSC" "PCSC/=PkgConfig::PCSC" "nfc/=PkgConfig::LIBNFC")

# The layer of a file: the manifest layer with the longest folder prefix (src/transport/pcsc/
# before src/transport/), or include/dnie/<layer>/.
function(layer_of out f)
  set(best "")
  set(best_len 0)
  foreach(name IN LISTS DNIE_LAYERS)
    set(folder "${DNIE_LAYER_${name}_FOLDER}/")
    string(LENGTH "${folder}" len)
    string(FIND "${f}" "${folder}" at)
    if(at EQUAL 0 AND len GREATER best_len)
      set(best ${name})
      set(best_len ${len})
    endif()
  endforeach()
  if(best STREQUAL "" AND f MATCHES "^include/dnie/([a-z0-9_]+)/" AND CMAKE_MATCH_1 IN_LIST DNIE_LAYERS)
    set(best ${CMAKE_MATCH_1})
  endif()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

function(may_link out layer lib_prefix)
  set(${out} FALSE PARENT_SCOPE)
  foreach(l IN LISTS DNIE_LAYER_${layer}_LINKS)
    string(FIND "${l}" "${lib_prefix}" at)
    if(at EQUAL 0)
      set(${out} TRUE PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

set(errors 0)
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/src/*.cpp ${ROOT}/src/*.hpp ${ROOT}/src/*.h ${ROOT}/src/*.c
     ${ROOT}/include/dnie/*.hpp ${ROOT}/include/dnie/*.h)
foreach(f IN LISTS files)
  if(f MATCHES "^include/dnie/[^/]+$")
    continue()  # dnie/version.hpp and other top-level headers: no layer, include nothing of ours
  endif()
  layer_of(layer "${f}")
  if(layer STREQUAL "")
    message(SEND_ERROR "${f}: in no layer of cmake/layers.txt (add the layer, or move the file)")
    math(EXPR errors "${errors}+1")
    continue()
  endif()
  set(mine ${DNIE_LAYER_${layer}_LEVEL})
  file(STRINGS ${ROOT}/${f} incs REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS incs)
    foreach(kv IN LISTS library_headers)
      string(REPLACE "=" ";" pair "${kv}")
      list(GET pair 0 hdr)
      list(GET pair 1 lib)
      string(FIND "${line}" "<${hdr}" at1)
      string(FIND "${line}" "\"${hdr}" at2)
      if(at1 GREATER -1 OR at2 GREATER -1)
        may_link(ok ${layer} "${lib}")
        if(NOT ok)
          message(SEND_ERROR "${f} (layer ${layer}): includes a header of ${lib}, which cmake/layers.txt "
                             "does not let this layer link: ${line}")
          math(EXPR errors "${errors}+1")
        endif()
      endif()
    endforeach()
    if(line MATCHES "[<\"]dnie/([a-z0-9_]+)/")
      set(theirs_name ${CMAKE_MATCH_1})
      if(NOT theirs_name IN_LIST DNIE_LAYERS)
        message(SEND_ERROR "${f}: includes dnie/${theirs_name}/, which is no layer of cmake/layers.txt: ${line}")
        math(EXPR errors "${errors}+1")
      elseif(DNIE_LAYER_${theirs_name}_LEVEL GREATER mine)
        message(SEND_ERROR "${f} (layer ${layer}, level ${mine}) includes a higher layer "
                           "(${theirs_name}, level ${DNIE_LAYER_${theirs_name}_LEVEL}): ${line}")
        math(EXPR errors "${errors}+1")
      endif()
    endif()
  endforeach()
endforeach()
if(errors GREATER 0)
  message(FATAL_ERROR "${errors} layering violation(s) (cmake/layers.txt)")
endif()
list(LENGTH files n)
message(STATUS "layering: ${n} files, all includes point down (cmake/layers.txt)")

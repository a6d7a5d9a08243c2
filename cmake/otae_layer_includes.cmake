# Checks that no layer includes a header of a layer it does not link. Every layer's target sees
# the whole include/ tree, so without this check a header-only include in the wrong direction
# would still compile.
#
# otae_check_layer_includes(ROOT dir RULES "layer=allowed,allowed|layer=…")
# Scans ROOT/src/<layer>/ and ROOT/include/otae/<layer>/ for #include "otae/<other>/…" with
# <other> outside the layer's allowed list, and stops with one line per offending include.
#
# Run at configure time by otae_layers.cmake (with the rules its layers' DEPS imply), and as a
# script by the tests: cmake -DROOT=dir -DRULES=… -P otae_layer_includes.cmake
cmake_policy(SET CMP0057 NEW)  # if(… IN_LIST …), also when run as a script

function(otae_check_layer_includes)
  cmake_parse_arguments(C "" "ROOT;RULES" "" ${ARGN})
  string(REPLACE "|" ";" rules "${C_RULES}")
  set(problems "")
  foreach(rule IN LISTS rules)
    string(REGEX REPLACE "=.*" "" layer "${rule}")
    string(REGEX REPLACE "^[^=]*=" "" allowed "${rule}")
    string(REPLACE "," ";" allowed "${allowed}")
    file(GLOB_RECURSE files ${C_ROOT}/src/${layer}/*.cpp ${C_ROOT}/src/${layer}/*.hpp
         ${C_ROOT}/include/otae/${layer}/*.hpp)
    foreach(file IN LISTS files)
      file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]otae/[a-z_]+/")
      foreach(line IN LISTS includes)
        string(REGEX REPLACE ".*otae/([a-z_]+)/.*" "\\1" included "${line}")
        if(NOT included IN_LIST allowed)
          string(REPLACE ";" ", " allowed_text "${allowed}")
          string(STRIP "${line}" line)
          string(APPEND problems "\n  ${file}: ${line}: layer '${layer}' may include only ${allowed_text}")
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(problems)
    message(FATAL_ERROR "otae: includes against the layers (see docs/architecture.md):${problems}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  otae_check_layer_includes(ROOT "${ROOT}" RULES "${RULES}")
endif()

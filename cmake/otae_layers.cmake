# otae_add_layer(NAME [DEPS targets...] [INCLUDES dirs...])
# Defines the library target otae_NAME (alias otae::NAME, exported as otae::NAME by
# cmake/otae_install.cmake) from src/NAME/*.cpp. Public headers live in include/otae/NAME/.
# A source named *_fastmath.cpp gets -ffast-math on that file alone:
# only then does GCC call glibc's vector exp (libmvec); such files hold nothing but kernels whose
# inputs are clamped finite, so the finite-math assumption cannot bite.
include(${CMAKE_CURRENT_LIST_DIR}/otae_layer_includes.cmake)

function(otae_add_layer name)
  cmake_parse_arguments(L "" "" "DEPS;INCLUDES" ${ARGN})
  # The layers whose headers this one may include: itself and every layer it links, transitively.
  set(allowed ${name})
  foreach(dependency IN LISTS L_DEPS)
    if(dependency MATCHES "^otae::(.+)$")
      get_property(below GLOBAL PROPERTY OTAE_LAYER_ALLOWS_${CMAKE_MATCH_1})
      list(APPEND allowed ${below})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  set_property(GLOBAL PROPERTY OTAE_LAYER_ALLOWS_${name} ${allowed})
  string(REPLACE ";" "," allowed "${allowed}")
  set_property(GLOBAL APPEND PROPERTY OTAE_LAYER_RULES "${name}=${allowed}")

  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  if(NOT sources)
    add_library(otae_${name} INTERFACE)
    target_include_directories(otae_${name} INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                               $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated> $<INSTALL_INTERFACE:include>)
    target_link_libraries(otae_${name} INTERFACE ${L_DEPS})
  else()
    add_library(otae_${name} STATIC ${sources})
    target_include_directories(otae_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                               $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated> $<INSTALL_INTERFACE:include>)
    target_include_directories(otae_${name} SYSTEM PUBLIC ${L_INCLUDES})
    target_link_libraries(otae_${name} PUBLIC ${L_DEPS})
    # OpenMP, not only its simd pragmas: at::parallel_for is a header template that runs serially
    # in a translation unit compiled without it.
    target_link_libraries(otae_${name} PRIVATE OpenMP::OpenMP_CXX)
    # Nothing in otae reads errno after a math call; with it, GCC guards every sqrt with a branch
    # for negative arguments and leaves loops that take square roots unvectorised.
    target_compile_options(otae_${name} PRIVATE -Wall -Wextra -fno-math-errno)
    foreach(src IN LISTS sources)
      if(src MATCHES "_fastmath\\.cpp$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-ffast-math")
      endif()
    endforeach()
  endif()
  add_library(otae::${name} ALIAS otae_${name})
  set_target_properties(otae_${name} PROPERTIES EXPORT_NAME ${name})
  set_property(GLOBAL APPEND PROPERTY OTAE_LAYERS otae_${name})
endfunction()

# The rules of every layer added so far, "layer=allowed,…|…", for otae_check_layer_includes.
function(otae_layer_rules out)
  get_property(rules GLOBAL PROPERTY OTAE_LAYER_RULES)
  string(REPLACE ";" "|" rules "${rules}")
  set(${out} "${rules}" PARENT_SCOPE)
endfunction()

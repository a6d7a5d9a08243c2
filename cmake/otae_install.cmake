# `cmake --install build --prefix P` installs the otae CMake package: headers, the layer libraries,
# the `otae` program with the report package it runs, and P/lib/cmake/otae/otaeConfig.cmake, so
# that another project writes
#   find_package(otae REQUIRED)
#   target_link_libraries(app PRIVATE otae::otae)   # or one layer: otae::ot, otae::data, …
# The libraries are static; their third-party dependencies (LibTorch, HDF5, HepMC3, FastJet, …)
# are found again by otaeConfig.cmake on the consumer's machine.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OTAE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/otae)
set(OTAE_INSTALL_PYTHONDIR ${CMAKE_INSTALL_DATADIR}/otae/python)

# otae::otae: every layer in one target.
add_library(otae_all INTERFACE)
target_link_libraries(otae_all INTERFACE otae::analysis)
set_target_properties(otae_all PROPERTIES EXPORT_NAME otae)
add_library(otae::otae ALIAS otae_all)

# A consumer's program loads OpenBLAS's OpenMP build as otae's own programs do (see CMakeLists.txt).
if(OTAE_OPENBLAS_OPENMP_DIR)
  target_link_options(otae_base INTERFACE
                      $<INSTALL_INTERFACE:LINKER:--disable-new-dtags LINKER:-rpath,${OTAE_OPENBLAS_OPENMP_DIR}>)
endif()

get_property(otae_layers GLOBAL PROPERTY OTAE_LAYERS)
install(TARGETS ${otae_layers} otae_all EXPORT otaeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ ${PROJECT_BINARY_DIR}/generated/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(EXPORT otaeTargets NAMESPACE otae:: DESTINATION ${OTAE_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/otaeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/otaeConfig.cmake INSTALL_DESTINATION ${OTAE_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/otaeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/otaeConfig.cmake ${PROJECT_BINARY_DIR}/otaeConfigVersion.cmake
        DESTINATION ${OTAE_INSTALL_CMAKEDIR})

# The program, its manual (the help of every command, in one text file), and the figures package
# that `otae report` runs, found beside it at run time.
install(TARGETS otae RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(CODE "execute_process(COMMAND \${CMAKE_COMMAND} -DOTAE=$<TARGET_FILE:otae>
                              -DOUT=\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}/otae-help.txt
                              -P ${PROJECT_SOURCE_DIR}/cmake/otae_help_text.cmake COMMAND_ERROR_IS_FATAL ANY)")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/otae_report DESTINATION ${OTAE_INSTALL_PYTHONDIR}
        PATTERN "__pycache__" EXCLUDE)

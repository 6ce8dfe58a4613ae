# `cmake --install` puts the headers, the libraries, the loopcheck program and a
# loopcheckConfig.cmake under the prefix, so that an unrelated project can say
#   find_package(loopcheck CONFIG REQUIRED)
#   target_link_libraries(my_check PRIVATE loopcheck::engines)   # or loopcheck::cli
# Headers keep their paths from the checkout ("model/world/world.h"), under include/loopcheck.
include(CMakePackageConfigHelpers)
set(LOOPCHECK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/loopcheck)

install(TARGETS ${LOOPCHECK_EXPORTED} EXPORT loopcheckTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(folder src model)
  install(DIRECTORY ${folder}/ DESTINATION ${LOOPCHECK_INCLUDE_DIR}/${folder}
          FILES_MATCHING PATTERN "*.h")
endforeach()
if(LOOPCHECK_CLI)
  install(FILES tools/loopcheck/cli.h DESTINATION ${LOOPCHECK_INCLUDE_DIR}/tools/loopcheck)
  install(TARGETS loopcheck RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT loopcheckTargets NAMESPACE loopcheck:: DESTINATION ${LOOPCHECK_CMAKE_DIR})
configure_package_config_file(cmake/loopcheckConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/loopcheckConfig.cmake INSTALL_DESTINATION ${LOOPCHECK_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/loopcheckConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/loopcheckConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/loopcheckConfigVersion.cmake
        DESTINATION ${LOOPCHECK_CMAKE_DIR})

# kv_installed_library(NAME OUTPUT_NAME SOURCES...): the library kv_NAME, also kv::NAME, exported
# as NAME and installed as lib<OUTPUT_NAME>, whose include/ is public (installed under include/),
# with the project's warnings. The caller installs its headers and adds its links.
function(kv_installed_library name output)
  add_library(kv_${name} ${ARGN})
  add_library(kv::${name} ALIAS kv_${name})
  set_target_properties(kv_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME ${output})
  target_include_directories(kv_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  kv_set_warnings(kv_${name})
  install(TARGETS kv_${name} EXPORT kvharnessTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()

# cmake -P script: install BUILD_DIR into WORK_DIR/prefix, then build and run CONSUMER_DIR against it.
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR GENERATOR SOURCE_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${step} failed (${result}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

# The installed command line records and replays with no flags: it finds the localvault installed
# beside it. No AZURE_* variable may send it to a real vault.
file(COPY "${SOURCE_DIR}/scenarios/backup_restore.json" DESTINATION "${WORK_DIR}/project/scenarios")
set(ENV{AZURE_KEYVAULT_URL} "")
set(ENV{AZURE_TEST_MODE} "")
set(ENV{KV_LOCALVAULT} "")
set(ENV{PATH} "/usr/bin:/bin")
execute_process(COMMAND "${prefix}/bin/kvharness" run --mode record scenarios/backup_restore.json
  WORKING_DIRECTORY "${WORK_DIR}/project" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0 OR NOT EXISTS "${WORK_DIR}/project/recordings/backup_restore.json")
  message(FATAL_ERROR "the installed kvharness did not record (${result}):\n${out}\n${err}")
endif()
execute_process(COMMAND "${prefix}/bin/kvharness" run scenarios/backup_restore.json
  WORKING_DIRECTORY "${WORK_DIR}/project" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the installed kvharness did not replay (${result}):\n${out}\n${err}")
endif()
message(STATUS "installed kvharness recorded and replayed backup_restore")

set(consumer_args -S "${CONSUMER_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DKV_EXAMPLES_DIR=${SOURCE_DIR}/examples"
    "-DKV_CATCH_MAIN=${SOURCE_DIR}/tests/catch_main.cpp")
if(CXX_LAUNCHER)
  list(APPEND consumer_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER}")
endif()
if(CXX_COMPILER)
  list(APPEND consumer_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(BUILD_TYPE)
  list(APPEND consumer_args "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
endif()
if(SANITIZE)
  # The installed static library was compiled with the sanitizers; its consumer must link them.
  list(APPEND consumer_args "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined"
       "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
endif()
run("configuring the consumer" ${CMAKE_COMMAND} ${consumer_args})
run("building the consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("running the consumer" "${WORK_DIR}/build/kv_consumer")
if(NOT last_output STREQUAL "consumer got installed-value\n")
  message(FATAL_ERROR "unexpected consumer output: '${last_output}'")
endif()
# A Catch2 test built against the installed kv::harness replays the example's recording.
set(ENV{KV_RECORDINGS_DIR} "${SOURCE_DIR}/examples/recordings")
run("running the kv::harness consumer test" "${WORK_DIR}/build/kv_harness_consumer_test")
message(STATUS "installed package OK: ${last_output}")

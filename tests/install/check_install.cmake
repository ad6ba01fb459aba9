# cmake -P script: install BUILD_DIR the way a packager does (a prefix chosen at install time,
# staged under DESTDIR, then moved elsewhere), check that only the API headers are installed, then
# build and run CONSUMER_DIR against the moved package: kvharness and a user's Catch2 test record
# with the package's own localvault (nothing else can be found) and replay offline, and a
# kv::harness consumer links neither the HTTPS server nor OpenSSL's TLS library.
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR GENERATOR SOURCE_DIR HEADER_LIST)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_install.cmake: ${var} is not set")
  endif()
endforeach()

set(original_path "$ENV{PATH}")

# Everything the consumer runs lives outside the build tree: an executable below it would find
# the build tree's localvault and prove nothing about the package.
file(REMOVE_RECURSE "${WORK_DIR}")
string(RANDOM LENGTH 8 ALPHABET abcdefghijklmnopqrstuvwxyz0123456789 token)
set(temp "$ENV{TMPDIR}")
if(temp STREQUAL "")
  set(temp "/tmp")
endif()
set(outside "${temp}/kvharness-install-check-${token}")
file(REMOVE_RECURSE "${outside}")
file(MAKE_DIRECTORY "${outside}")
file(WRITE "${WORK_DIR}/where.txt" "${outside}\n")

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${step} failed (${result}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install under DESTDIR with a prefix chosen now (the build was configured for another), then
#    move the prefix: the package must find itself from where it is, not where it was put.
set(staged_prefix "/opt/kvharness-${token}")
set(ENV{DESTDIR} "${outside}/stage")
run("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${staged_prefix}")
unset(ENV{DESTDIR})
set(prefix "${outside}/moved/kvharness")
file(MAKE_DIRECTORY "${outside}/moved")
file(RENAME "${outside}/stage${staged_prefix}" "${prefix}")
message(STATUS "installed under DESTDIR with --prefix ${staged_prefix}, moved to ${prefix}")

# 2. Only the API is installed: the header list is exactly the committed one.
file(GLOB_RECURSE headers RELATIVE "${prefix}/include" "${prefix}/include/*")
list(SORT headers)
file(STRINGS "${HEADER_LIST}" expected REGEX "^[^#]")
list(SORT expected)
if(NOT headers STREQUAL expected)
  set(extra ${headers})
  list(REMOVE_ITEM extra ${expected})
  set(missing ${expected})
  list(REMOVE_ITEM missing ${headers})
  message(FATAL_ERROR "the installed headers differ from ${HEADER_LIST}:\n"
                      "  installed but not listed: ${extra}\n  listed but not installed: ${missing}")
endif()
list(LENGTH headers header_count)
message(STATUS "installed headers: ${header_count}, as listed")

# 3. The installed command line records and replays with no flags: it finds the localvault
#    installed beside it. No AZURE_* variable may send it to a real vault.
file(COPY "${SOURCE_DIR}/scenarios/backup_restore.json" DESTINATION "${outside}/project/scenarios")
set(ENV{AZURE_KEYVAULT_URL} "")
set(ENV{AZURE_TEST_MODE} "")
set(ENV{KV_LOCALVAULT} "")
set(ENV{KV_RECORDINGS_DIR} "")
set(ENV{PATH} "/usr/bin:/bin")
execute_process(COMMAND "${prefix}/bin/kvharness" run --mode record scenarios/backup_restore.json
  WORKING_DIRECTORY "${outside}/project" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0 OR NOT EXISTS "${outside}/project/recordings/backup_restore.json")
  message(FATAL_ERROR "the installed kvharness did not record (${result}):\n${out}\n${err}")
endif()
execute_process(COMMAND "${prefix}/bin/kvharness" run scenarios/backup_restore.json
  WORKING_DIRECTORY "${outside}/project" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the installed kvharness did not replay (${result}):\n${out}\n${err}")
endif()
message(STATUS "installed kvharness recorded and replayed backup_restore")

# 4. A consumer project builds against the moved package.
set(consumer_build "${outside}/build")
set(consumer_args -S "${CONSUMER_DIR}" -B "${consumer_build}" -G "${GENERATOR}"
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
set(ENV{PATH} "${original_path}")
run("configuring the consumer" ${CMAKE_COMMAND} ${consumer_args})
run("building the consumer" ${CMAKE_COMMAND} --build "${consumer_build}")
set(ENV{PATH} "/usr/bin:/bin")

# 5. The link line of a kv::harness consumer: the harness libraries, the client, RE2 and
#    libcrypto; not the HTTPS server, Boost or OpenSSL's TLS library.
set(link_line "")
if(EXISTS "${consumer_build}/build.ninja")
  file(STRINGS "${consumer_build}/build.ninja" ninja_lines)
  set(in_link FALSE)
  foreach(line IN LISTS ninja_lines)
    if(line MATCHES "^build kv_harness_consumer_test:")
      set(in_link TRUE)
    elseif(in_link AND line MATCHES "^  LINK_LIBRARIES = (.*)")
      set(link_line "${CMAKE_MATCH_1}")
      break()
    elseif(in_link AND line MATCHES "^build ")
      break()
    endif()
  endforeach()
elseif(EXISTS "${consumer_build}/CMakeFiles/kv_harness_consumer_test.dir/link.txt")
  file(READ "${consumer_build}/CMakeFiles/kv_harness_consumer_test.dir/link.txt" link_line)
endif()
if(link_line STREQUAL "")
  message(FATAL_ERROR "cannot find the link line of kv_harness_consumer_test in ${consumer_build}")
endif()
string(REPLACE "${prefix}/lib/" "" shown "${link_line}")
message(STATUS "kv::harness consumer links: ${shown}")
if(link_line MATCHES "kvhttpserver|libssl\\.|-lssl|boost")
  message(FATAL_ERROR "a kv::harness consumer links the HTTPS server or OpenSSL's TLS library: "
                      "${link_line}")
endif()

run("running the consumer" "${consumer_build}/kv_consumer")
if(NOT last_output STREQUAL "consumer got installed-value\n")
  message(FATAL_ERROR "unexpected consumer output: '${last_output}'")
endif()

# 6. A Catch2 test built against the installed kv::harness replays the example's recording...
set(ENV{KV_RECORDINGS_DIR} "${SOURCE_DIR}/examples/recordings")
run("replaying the example with the kv::harness consumer test"
    "${consumer_build}/kv_harness_consumer_test")
# ...records with the package's own localvault (no flag, no variable, not on PATH)...
set(ENV{KV_RECORDINGS_DIR} "${outside}/recordings")
set(ENV{AZURE_TEST_MODE} "record")
run("recording with the kv::harness consumer test and the package's localvault"
    "${consumer_build}/kv_harness_consumer_test")
file(GLOB recorded "${outside}/recordings/*.json")
if(NOT recorded)
  message(FATAL_ERROR "the kv::harness consumer test recorded nothing into ${outside}/recordings")
endif()
# ...and replays what it recorded, offline.
set(ENV{AZURE_TEST_MODE} "playback")
run("replaying the fresh recording with the kv::harness consumer test"
    "${consumer_build}/kv_harness_consumer_test")
message(STATUS "installed package OK: the consumer test recorded and replayed ${recorded}")
file(REMOVE_RECURSE "${outside}")

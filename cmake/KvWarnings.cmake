# kv_set_warnings(target): the project's warning flags, errors when KV_WARNINGS_AS_ERRORS is on.
function(kv_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(KV_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

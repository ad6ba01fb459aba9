# Sources of kv::harness, relative to harness/src.
set(KV_HARNESS_SOURCES
  audit.cpp
  atomic_file.cpp
  base64.cpp
  body.cpp
  fixture_reader.cpp
  fixture_writer.cpp
  har.cpp
  json_pointer.cpp
  matcher.cpp
  operation.cpp
  playback_transport.cpp
  recording_transport.cpp
  rules.cpp
  sanitizer.cpp
  session.cpp
)

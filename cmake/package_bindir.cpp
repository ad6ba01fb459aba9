// Added to every target that links kv::harness from an installed kvharness package: tells the
// library where the package's bin/ folder (and so its localvault) is, as kvharnessConfig.cmake
// found it. Weak, so that several targets of one program may each carry it.
extern "C" __attribute__((weak)) const char* kvharness_package_bindir() {
  return KVHARNESS_PACKAGE_BINDIR;
}

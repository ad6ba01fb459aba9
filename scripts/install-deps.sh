#!/usr/bin/env bash
# Installs the Debian packages kvharness needs. Idempotent: does nothing when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev catch2 libcxxopts-dev libcpp-httplib-dev
  openssl python3 nodejs npm util-linux clang-format
  libxml2-utils
  # The proxy tests: curl as a client, ip to bring loopback up in an offline network namespace.
  curl iproute2
  # The official C++ SDK sample that tests/localvault builds from ../shared needs libxml2-dev.
  libxml2-dev
  # The HTTPS server of localvault and the proxy (Boost.Asio/Beast), GoogleTest for the test glue,
  # clang-14 with libFuzzer for the fuzzers, the official Python SDK for its tests, ccache.
  libboost-dev libgtest-dev clang-14 libclang-rt-14-dev python3-azure ccache
  # RE2 runs the regular expressions of rules and scenarios in linear time, without recursion.
  libre2-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from outside Debian's packages on some machines: a working node is enough.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root (or with sudo)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

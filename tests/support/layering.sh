#!/usr/bin/env bash
# The layers hold: builds one target of tests/CMakeLists.txt's layering cases (a file that only includes HEADER,
# compiled as a file of one library) and expects it to compile when the library links HEADER's library
# ("allowed"), and to fail on that very include when it does not ("forbidden"): an include against the layers
# does not compile. Usage: layering.sh BUILD_DIR TARGET HEADER allowed|forbidden
set -uo pipefail
build=$1 target=$2 header=$3 expect=$4
out=$(cmake --build "$build" --target "$target" 2>&1)
status=$?
if [ "$expect" = allowed ]; then
  [ "$status" -eq 0 ] || { echo "$out"; echo "layering: $target should compile ($header is in its layers)"; exit 1; }
else
  [ "$status" -ne 0 ] || { echo "layering: $target compiled, but $header is against the layers"; exit 1; }
  grep -qE "$header(: No such file or directory|' file not found)" <<<"$out" || # GCC's words, or Clang's
    { echo "$out"; echo "layering: $target failed, but not on $header"; exit 1; }
fi
echo "layering: $target includes $header: $expect, as the layers say"

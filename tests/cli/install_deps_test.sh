#!/usr/bin/env bash
# scripts/install-deps.sh against a stand-in dpkg-query and id (nothing is installed):
# the demo asks only for what building and running needs, the tests also for their tools;
# as another user it prints one sudo line with every missing package and exits 1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
cat > "$fake/dpkg-query" <<'EOS'
#!/bin/sh
# the last argument is the package; those in FAKE_MISSING are not installed
for p in $FAKE_MISSING; do [ "$p" = "$(eval echo \${$#})" ] && exit 1; done
printf 'install ok installed'
EOS
printf '#!/bin/sh\necho 1000\n' > "$fake/id"
chmod +x "$fake/dpkg-query" "$fake/id"
fail() { echo "FAIL: $*"; exit 1; }
run() { env -u CI -u CARTSIM_BROWSER_TESTS PATH="$fake:$PATH" FAKE_MISSING="$1" bash "$repo/scripts/install-deps.sh" $2; }

out=$(run "" demo) || fail "all present: $out"
[[ $out == *"present"* ]] || fail "all present: $out"
out=$(run "valgrind clang" demo) || fail "the demo does not need the test tools: $out"
if out=$(run "valgrind clang" test); then fail "the tests need valgrind: $out"; fi
[[ $out == *"sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends valgrind clang'"* ]] ||
  fail "one sudo line for both commands: $out"
if out=$(run "libhypre-dev" demo); then fail "the demo needs hypre: $out"; fi
[[ $out == *"missing: libhypre-dev"* ]] || fail "names the package: $out"
if run "" bogus >/dev/null 2>&1; then fail "a bad argument is refused"; fi
echo "ok"

#!/usr/bin/env bash
# The full test suite: installs what the tests need (Debian packages for the kernel lab,
# strongSwan and tshark; Maven fetches the Java dependencies), then builds and runs every
# unit, integration and interoperability test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec mvn -B -ntp verify "$@"

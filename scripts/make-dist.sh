#!/usr/bin/env bash
# make-dist.sh VERSION - the self-contained distribution, isakmpd-daemon/target/isakmpd-VERSION.tar.gz
# (mvn package runs it): a tree staged by scripts/install.sh, so the tarball holds exactly what
# an install puts on a host, under isakmpd-VERSION/:
#   usr/sbin/isakmpd, usr/sbin/isakmpctl        launchers (they find the jars relative to themselves)
#   usr/lib/isakmpd/                            isakmpd.jar and lib/
#   usr/share/man/man1/, usr/share/doc/isakmpd/ man pages, README.md, admin-guide.md
#   etc/isakmpd/isakmpd.toml                    the example configuration, kernel = "auto", mode 600
#   lib/systemd/system/isakmpd.service, usr/lib/sysusers.d/isakmpd.conf
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: make-dist.sh VERSION}
target=isakmpd-daemon/target
stage=$target/dist
rm -rf "$stage"
mkdir -p "$stage"
scripts/install.sh --destdir "$stage/isakmpd-$version" >/dev/null
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$target/isakmpd-$version.tar.gz" "isakmpd-$version"
echo "make-dist.sh: $target/isakmpd-$version.tar.gz"

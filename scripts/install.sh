#!/usr/bin/env bash
# Installs the built daemon (mvn -B -ntp -DskipTests package first):
#   PREFIX/lib/isakmpd/        isakmpd.jar and lib/ (its dependencies)
#   PREFIX/sbin/               isakmpd and isakmpctl launchers (conf/bin)
#   PREFIX/share/man/man1/     man pages of isakmpd, isakmpctl and their subcommands
#   PREFIX/share/doc/isakmpd/  README.md, admin-guide.md, ha.md, the annotated example configurations
#   /etc/isakmpd/isakmpd.toml  the example, kernel = "auto", mode 600 (only if none is there)
#   /lib/systemd/system/isakmpd.service, /usr/lib/sysusers.d/isakmpd.conf
# all below DESTDIR when given (packaging, tests); then nothing on the host is changed.
# Without DESTDIR, as root, it also creates the isakmpd user and reloads systemd.
# Usage: scripts/install.sh [--prefix /usr] [--destdir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr destdir=''
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) prefix=$2; shift ;;
        --destdir) destdir=$2; shift ;;
        *) echo "install.sh: unknown option $1 (known: --prefix DIR, --destdir DIR)" >&2; exit 2 ;;
    esac
    shift
done
jar=isakmpd-daemon/target/isakmpd.jar
man=isakmpd-daemon/target/man
if [ ! -f "$jar" ] || [ ! -d isakmpd-daemon/target/lib ] || [ ! -f "$man/isakmpd.1" ]; then
    echo "install.sh: $jar not built; run: mvn -B -ntp -DskipTests package" >&2
    exit 1
fi

root=$destdir
libdir=$root$prefix/lib/isakmpd
install -d "$libdir/lib" "$root$prefix/sbin" "$root$prefix/share/doc/isakmpd" "$root$prefix/share/man/man1" \
    "$root/lib/systemd/system" "$root/usr/lib/sysusers.d"
install -m 644 "$jar" "$libdir/"
rm -f "$libdir"/lib/*.jar
install -m 644 isakmpd-daemon/target/lib/*.jar "$libdir/lib/"

# The launchers find the jar relative to themselves, so a DESTDIR tree runs as installed.
install -m 755 conf/bin/isakmpd conf/bin/isakmpctl "$root$prefix/sbin/"
install -m 644 "$man"/*.1 "$root$prefix/share/man/man1/"

install -m 644 README.md docs/admin-guide.md docs/ha.md conf/isakmpd.toml conf/keepalived-ha.conf.example \
    "$root$prefix/share/doc/isakmpd/"
sed "s|/usr/lib/isakmpd/isakmpd.jar|$prefix/lib/isakmpd/isakmpd.jar|" conf/isakmpd.service \
    >"$root/lib/systemd/system/isakmpd.service"
chmod 644 "$root/lib/systemd/system/isakmpd.service"
install -m 644 conf/isakmpd.sysusers "$root/usr/lib/sysusers.d/isakmpd.conf"

# The example holds a pre-shared key: mode 600, owned by the daemon's user once it exists (root
# may edit it anyway; members of the isakmpd group, who may use isakmpctl, may not read it).
# An existing configuration stays as it is.
install -d -m 750 "$root/etc/isakmpd"
created=''
if [ ! -e "$root/etc/isakmpd/isakmpd.toml" ]; then
    sed 's/^kernel = "memory"$/kernel = "auto"/' conf/isakmpd.toml >"$root/etc/isakmpd/isakmpd.toml"
    chmod 600 "$root/etc/isakmpd/isakmpd.toml"
    created=yes
fi

if [ -z "$destdir" ] && [ "$(id -u)" = 0 ]; then
    if command -v systemd-sysusers >/dev/null; then
        systemd-sysusers /usr/lib/sysusers.d/isakmpd.conf
        chgrp isakmpd /etc/isakmpd
        [ -n "$created" ] && chown isakmpd:isakmpd /etc/isakmpd/isakmpd.toml
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
    fi
fi
echo "installed in ${destdir:-/}: edit /etc/isakmpd/isakmpd.toml, check it with" \
    "'$prefix/sbin/isakmpd check', then 'systemctl enable --now isakmpd' (docs: $prefix/share/doc/isakmpd)"

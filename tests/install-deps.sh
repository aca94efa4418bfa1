#!/usr/bin/env bash
# install-deps - every Debian 12 package needed to build, run and test authmilter.
# Package scripts must not start the system's own Postfix, OpenDKIM or Unbound: a
# policy-rc.d that refuses service starts is in place for the duration of the install.
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
PACKAGES=(
	build-essential clang pkg-config make
	libmilter-dev libssl-dev libc-ares-dev libconfig-dev libcmocka-dev libsystemd-dev
	libyaml-dev publicsuffix
	unbound dnsutils
	python3 python3-dkim python3-spf python3-yaml libmail-dkim-perl opendkim-tools
	postfix swaks sasl2-bin libsasl2-modules opendkim opendmarc miltertest
	valgrind procps
)
restore_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 0755 /usr/sbin/policy-rc.d
	restore_policy=1
fi
trap '[ $restore_policy = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

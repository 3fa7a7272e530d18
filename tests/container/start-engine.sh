#!/usr/bin/env bash
# Make a Docker engine and the Dockerfile's base image available for tests/container, as far as
# this machine allows; never fails (the container tests skip, with the reason, when it could not).
# On machines without registry access to Docker Hub the base image is a local stand-in built by
# stand-in-base-image.sh (Debian bookworm + its python3.11, laid out like the official image).
set -u
here=$(cd "$(dirname "$0")" && pwd)
log=${TMPDIR:-/tmp}/mlgate-docker-engine.log
if ! command -v dockerd >/dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "container tests: installing docker.io"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap) >>"$log" 2>&1
fi
command -v docker >/dev/null 2>&1 || { echo "container tests: no docker command"; exit 0; }
if ! docker info >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v dockerd >/dev/null; then
    echo "container tests: starting dockerd"
    nohup dockerd --bridge=none --iptables=false >>"$log" 2>&1 &
    for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
  fi
fi
docker info >/dev/null 2>&1 || { echo "container tests: no Docker engine (see $log)"; exit 0; }
base=$(sed -n 's/^ARG PYTHON_IMAGE=//p' "$here/../../Dockerfile")
if ! docker image inspect "$base" >/dev/null 2>&1; then
  if ! timeout 120 docker pull -q "$base" >>"$log" 2>&1; then
    echo "container tests: building a local stand-in for $base"
    timeout 900 bash "$here/stand-in-base-image.sh" "$base" >>"$log" 2>&1 || echo "container tests: no base image (see $log)"
  fi
fi
exit 0

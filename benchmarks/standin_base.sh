#!/usr/bin/env bash
# A stand-in for python:3.11-slim where Docker Hub is out of reach (the 2026-11-24 run of benchmarks/container.py):
# Debian bookworm (Python 3.11) from the Debian mirror, a venv first on PATH so that `pip` and `python` work as in
# the official image, and this machine's CA bundle and pip settings (its HTTPS goes through a proxy). Then serve
# the local torch CPU wheel to the build over the docker bridge. Run as root, with dockerd running.
#
#   bash benchmarks/standin_base.sh && python benchmarks/container.py --bundle RUN/model \
#     --build-arg BASE=emotune-standin/python:3.11-slim --build-arg TORCH_INDEX=https://pypi.org/simple \
#     --build-arg PIP_FIND_LINKS=http://172.17.0.1:8088/ --build-arg PIP_TRUSTED_HOST=172.17.0.1
set -euo pipefail
ROOTFS=${ROOTFS:-/tmp/emotune-standin-rootfs}
WHEELS=${WHEELS:-/opt/wheels}
[ -d "$ROOTFS/opt/python" ] || {
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$ROOTFS" \
    http://deb.debian.org/debian
  chroot "$ROOTFS" python3 -m venv /opt/python
}
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$ROOTFS/etc/pip.conf"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
tar -C "$ROOTFS" -c . | docker import \
  -c 'ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' -c 'CMD ["python3"]' - emotune-standin/python:3.11-slim
(cd "$WHEELS" && nohup python3 -m http.server 8088 --bind 172.17.0.1 > /dev/null 2>&1 &)

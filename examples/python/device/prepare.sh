#!/usr/bin/env bash
# Prepares, on this machine, what the GPU machine needs to run the real Hugging Face check
# (hf-check.sh): it has python3 with torch and transformers but no JDK and no network, and takes
# at most 64 MiB of files. Writes target/device.txz (ignored by git; carry it), which holds
# target/device/:
#   jre/            a jlinked Java runtime for the sidecar (deploy/image/make-jre.sh)
#   sidecar/        coba-sidecar.jar and its lib/ (without lib/trainer/: no libtorch)
# Needs a built sidecar (mvn -B -ntp -DskipTests package) and a JDK with jmods.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out="$root/target/device"
jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
jar="$root/sidecar/target/coba-sidecar.jar"
[ -f "$jar" ] || { echo "$0: $jar is missing: mvn -B -ntp -DskipTests package" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/sidecar/lib"
cp "$jar" "$out/sidecar/"
find "$root/sidecar/target/lib" -maxdepth 1 -name '*.jar' -exec cp {} "$out/sidecar/lib/" \;
bash "$root/deploy/image/make-jre.sh" "$jdk" "$jar" "$out/sidecar/lib" "$out/jre" >/dev/null
"$out/jre/bin/java" -version 2>&1 | head -1
tar -C "$root/target" -cJf "$root/target/device.txz" device
du -sh "$out/jre" "$out/sidecar" "$root/target/device.txz" | sed 's/^/  /'

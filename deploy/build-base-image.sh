#!/usr/bin/env bash
# Assembles the sidecar's base image from this machine, without a registry or a Docker
# daemon, as a `docker save`-style tarball that Jib takes as `tar://...` (the Maven
# profile `image` in sidecar/pom.xml calls this script, then Jib adds the application).
#
#   deploy/build-base-image.sh --jdk JDK_HOME --app-jar JAR --lib-dir DIR --out DIR
#
# The one layer holds a distroless-style root filesystem:
#   /opt/java/openjdk   a jlinked JRE (deploy/image/make-jre.sh) from JDK_HOME
#   /lib..., /lib64     exactly the shared libraries that the JRE's binaries and bash link
#                       against (found with ldd), copied from this machine, with
#                       /etc/ld.so.cache for them
#   /bin/bash           for the health check only (/usr/local/bin/coba-healthcheck)
#   /etc                passwd and group with root and coba (65532), nsswitch.conf,
#                       os-release; /var/lib/dpkg/status.d names the Debian packages the
#                       libraries come from (for vulnerability scanners), and
#                       /usr/share/doc/<package>/copyright their licences
#   /data, /home/coba   owned by 65532; /tmp mode 1777
# The image config sets the user 65532:65532, PATH/JAVA_HOME and the HEALTHCHECK (which
# Jib keeps in the Docker format; the OCI format has no such field).
#
# Output: OUT/base-image.tar (manifest.json, config.json, layer.tar) and OUT/rootfs/.
# Reused as it is when nothing it is made from changed: the module list (jdeps runs every
# time), these scripts, the JDK and the host libraries it copied (OUT/inputs.sha256).
# Deterministic: file times are 0, owners numeric, entries sorted; the same machine and
# inputs give the same layer digest, so Jib's cache reuses the compressed layer.
# Needs: bash, GNU tar, ldd, sha256sum, a JDK with jmods. Downloads nothing; root is not
# needed (ownership is set in the tar headers).
set -euo pipefail
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jdk='' app_jar='' lib_dir='' out=''
uid=${COBA_IMAGE_UID:-65532}
while [ "$#" -gt 0 ]; do
  case $1 in
    --jdk) jdk=$2; shift 2 ;;
    --app-jar) app_jar=$2; shift 2 ;;
    --lib-dir) lib_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 --jdk JDK_HOME --app-jar JAR --lib-dir DIR --out DIR" >&2; exit 2 ;;
  esac
done
if [ -z "$jdk" ] || [ -z "$app_jar" ] || [ -z "$lib_dir" ] || [ -z "$out" ]; then
  echo "usage: $0 --jdk JDK_HOME --app-jar JAR --lib-dir DIR --out DIR" >&2
  exit 2
fi
out=$(realpath -m "$out") jdk=$(realpath -m "$jdk")
if ! tar --version 2>/dev/null | grep -q 'GNU tar'; then
  echo "$0: GNU tar is needed" >&2
  exit 1
fi
case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) echo "$0: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

start=$SECONDS
modules=$(bash "$here/image/make-jre.sh" --print-modules "$jdk" "$app_jar" "$lib_dir")

# what the base image is made from; the libraries are those the last build copied
inputs() {
  echo "modules $modules uid $uid arch $arch jdk $(readlink -f "$jdk")"
  cat "$jdk/release" "$here/build-base-image.sh" "$here/image/make-jre.sh" \
      "$here/image/coba-healthcheck" /etc/os-release 2>/dev/null
  if [ -f "$out/libraries.txt" ]; then
    while read -r lib; do sha256sum "$(readlink -f "$lib")"; done < "$out/libraries.txt"
  fi
  sha256sum "$(readlink -f "$(command -v bash)")"
}
key=$(inputs | sha256sum | cut -d' ' -f1)
if [ -f "$out/base-image.tar" ] && [ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$key" ]; then
  echo "base image $out/base-image.tar: unchanged, reused ($((SECONDS - start)) s)" >&2
  exit 0
fi

rm -rf "$out"
mkdir -p "$out"
root=$out/rootfs
mkdir -p "$root"

# 1. the Java runtime
java_home=/opt/java/openjdk
mkdir -p "$root/opt/java"
COBA_JLINK_MODULES=$modules bash "$here/image/make-jre.sh" "$jdk" "$app_jar" "$lib_dir" "$root$java_home"
mv "$root$java_home/coba-modules.txt" "$out/modules.txt"

# 2. bash (for the health check) and the health check
bash_bin=$(readlink -f "$(command -v bash)")
install -D -m 0755 "$bash_bin" "$root/bin/bash"
install -D -m 0755 "$here/image/coba-healthcheck" "$root/usr/local/bin/coba-healthcheck"

# 3. the shared libraries: ldd over every ELF file in the image. A library that ldd cannot
#    find must be one of the JRE's own (libjvm.so, found at run time through $ORIGIN).
declare -A libs=()
interp=
while IFS= read -r -d '' f; do
  if ! head -c 4 "$f" | grep -q 'ELF'; then continue; fi
  while read -r line; do
    case $line in
      *linux-vdso*|*"statically linked"*) ;;
      *"=> not found"*)
        name=$(awk '{print $1}' <<<"$line")
        if [ -z "$(find "$root$java_home/lib" -name "$name" -print -quit)" ]; then
          echo "$0: $f needs $name, which is neither on this machine nor in the JRE" >&2
          exit 1
        fi ;;
      *" => /"*)
        path=$(awk '{print $3}' <<<"$line")
        case $path in "$root"/*) ;; *) libs[$path]=1 ;; esac ;;
      /*)
        interp=$(awk '{print $1}' <<<"$line") ;;
    esac
  done < <(ldd "$f" 2>/dev/null || true)
done < <(find "$root" -type f -print0)
if [ -z "$interp" ]; then
  echo "$0: ldd named no dynamic loader" >&2
  exit 1
fi
libs[$interp]=1
: > "$out/libraries.txt"
for path in $(printf '%s\n' "${!libs[@]}" | sort); do
  mkdir -p "$root$(dirname "$path")"
  cp -L --preserve=mode "$path" "$root$path"
  echo "$path" >> "$out/libraries.txt"
done
# a loader cache for the copied directories, so that the libraries are found wherever
# this machine's ld.so.conf had them
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
if [ -x "$ldconfig" ]; then
  mkdir -p "$root/etc"
  xargs -n1 dirname < "$out/libraries.txt" | sort -u > "$root/etc/ld.so.conf"
  "$ldconfig" -r "$root"
fi

# 4. where the libraries come from (Debian and its derivatives; skipped elsewhere)
if command -v dpkg-query > /dev/null; then
  declare -A pkgs=()
  for path in "$bash_bin" $(cat "$out/libraries.txt"); do
    # dpkg knows a file by the path its package ships (/bin/bash, not /usr/bin/bash)
    for candidate in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
      pkg=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) || true
      if [ -n "$pkg" ]; then pkgs[$pkg]=1; break; fi
    done
  done
  mkdir -p "$root/var/lib/dpkg/status.d"
  for pkg in $(printf '%s\n' "${!pkgs[@]}" | sort); do
    dpkg-query -W -f='Package: ${Package}\nVersion: ${Version}\nArchitecture: ${Architecture}\nSource: ${source:Package} (${source:Version})\n' \
      "$pkg" > "$root/var/lib/dpkg/status.d/$pkg"
    copyright=/usr/share/doc/$pkg/copyright
    if [ -f "$copyright" ]; then
      install -D -m 0644 "$copyright" "$root$copyright"
    fi
  done
fi
if [ -f /etc/os-release ]; then
  install -D -m 0644 "$(readlink -f /etc/os-release)" "$root/etc/os-release"
fi

# 5. users, name service, the writable directories
mkdir -p "$root/etc"
cat > "$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
coba:x:$uid:$uid:coba sidecar:/home/coba:/usr/sbin/nologin
EOF
cat > "$root/etc/group" <<EOF
root:x:0:
coba:x:$uid:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
# (/proc, /sys and /dev are mount points: the container runtime mounts them; the java
# launcher finds libjli.so through $ORIGIN, which ld.so reads from /proc/self/exe)
mkdir -p "$root/root" "$root/tmp" "$root/data" "$root/home/coba" "$root/proc" "$root/sys" "$root/dev"
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"

# 6. the layer: everything root-owned but /data and /home/coba, which belong to coba
stage=$out/stage
mkdir -p "$stage"
# shellcheck disable=SC2054  # the commas belong to --pax-option's value
tar_flags=(--sort=name --mtime=@0 --numeric-owner --format=posix
           --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
entries=$(cd "$root" && ls -A)
# shellcheck disable=SC2086
tar "${tar_flags[@]}" --owner=0 --group=0 --anchored --exclude=data --exclude=home/coba \
    -C "$root" -cf "$stage/layer.tar" $entries
tar "${tar_flags[@]}" --owner="$uid" --group="$uid" -C "$root" -rf "$stage/layer.tar" data home/coba
diff_id=sha256:$(sha256sum "$stage/layer.tar" | cut -d' ' -f1)

# 7. the image config and the manifest (the format of `docker save`)
epoch=1970-01-01T00:00:00Z
cat > "$stage/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"$epoch",
 "config":{
  "User":"$uid:$uid",
  "Env":["PATH=$java_home/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"],
  "WorkingDir":"/data",
  "Healthcheck":{"Test":["CMD","/usr/local/bin/coba-healthcheck"],
                 "Interval":10000000000,"Timeout":3000000000,"StartPeriod":30000000000,"Retries":3}},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"$epoch","created_by":"deploy/build-base-image.sh",
             "comment":"jlinked JRE ($(cat "$out/modules.txt")) and the libraries it links against"}]}
EOF
printf '[{"Config":"config.json","RepoTags":["coba-sidecar-base:local"],"Layers":["layer.tar"]}]\n' \
  > "$stage/manifest.json"
tar "${tar_flags[@]}" --owner=0 --group=0 -C "$stage" -cf "$out/base-image.tar" \
    manifest.json config.json layer.tar
rm -rf "$stage"
inputs | sha256sum | cut -d' ' -f1 > "$out/inputs.sha256"

echo "base image $out/base-image.tar: $(du -sh "$root" | cut -f1) root filesystem," \
     "layer $diff_id, $(wc -l < "$out/libraries.txt") libraries, $((SECONDS - start)) s" >&2

#!/usr/bin/env bash
# Builds a minimal Java runtime for the sidecar with jlink: only the JDK modules that
# jdeps finds in the application jar and its dependencies, plus a few that are only
# reached by reflection or by service loading.
#
#   deploy/image/make-jre.sh JDK_HOME APP_JAR LIB_DIR OUTPUT_DIR
#   deploy/image/make-jre.sh --print-modules JDK_HOME APP_JAR LIB_DIR
#
# JDK_HOME must be a full JDK with jmods/ (Debian: openjdk-17-jdk-headless; Temurin JDKs
# up to 23). OUTPUT_DIR must not exist yet. The module list is also written to
# OUTPUT_DIR/coba-modules.txt.
#
# Used by sidecar/Dockerfile (build stage) and by deploy/build-base-image.sh (the Maven
# profile `image`), so that both images carry the same runtime.
#
# Environment:
#   COBA_JLINK_EXTRA_MODULES  modules added to what jdeps finds (comma-separated).
#                             Default: jdk.crypto.ec (EC key exchange, for any future TLS
#                             client such as a PostgreSQL store) and jdk.management
#                             (com.sun.management metrics, loaded reflectively).
#   COBA_JLINK_COMPRESS       jlink --compress level (default 2: zip; 0 = none)
#   COBA_JLINK_MODULES        the full module list, as --print-modules printed it: skips jdeps
set -euo pipefail

print_only=0
if [ "${1:-}" = "--print-modules" ]; then
  print_only=1
  shift
  set -- "$@" ""
fi
if [ "$#" -ne 4 ]; then
  echo "usage: $0 JDK_HOME APP_JAR LIB_DIR OUTPUT_DIR | $0 --print-modules JDK_HOME APP_JAR LIB_DIR" >&2
  exit 2
fi
jdk=$1 app_jar=$2 lib_dir=$3 out=$4

for tool in jdeps jlink; do
  if [ ! -x "$jdk/bin/$tool" ]; then
    echo "$0: $jdk/bin/$tool not found: JDK_HOME must be a full JDK" >&2
    exit 1
  fi
done
if [ ! -f "$jdk/jmods/java.base.jmod" ]; then
  echo "$0: $jdk/jmods/java.base.jmod not found: jlink needs the JDK's jmods" \
       "(Debian: apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi
if [ ! -f "$app_jar" ] || [ ! -d "$lib_dir" ]; then
  echo "$0: $app_jar or $lib_dir missing: run 'mvn -DskipTests package' first" >&2
  exit 1
fi
if [ "$print_only" = 0 ] && [ -e "$out" ]; then
  echo "$0: $out exists; remove it first" >&2
  exit 1
fi

# The JDK's feature release (17 for 17.0.15): jdeps reads multi-release jars at that level.
release=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
release=${release:-17}

if [ -n "${COBA_JLINK_MODULES:-}" ]; then
  modules=$COBA_JLINK_MODULES
else
  shopt -s nullglob
  jars=("$lib_dir"/*.jar)
  found=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$release" \
            "$app_jar" "${jars[@]}")
  extra=${COBA_JLINK_EXTRA_MODULES-jdk.crypto.ec,jdk.management}
  modules=$(printf '%s,%s\n' "$found" "$extra" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)
fi
if [ "$print_only" = 1 ]; then
  printf '%s\n' "$modules"
  exit 0
fi

# java.desktop comes in for java.beans (Jackson, Jetty, Micrometer); the sidecar never
# draws, so the native libraries that need X11, fonts, images or sound stay out: they
# would otherwise drag X11, freetype, harfbuzz, libjpeg, lcms2 and ALSA into the image.
excluded='**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libfontmanager.so,'
excluded+='**/libjavajpeg.so,**/liblcms.so,**/libjsound.so'

"$jdk/bin/jlink" \
  --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files \
  --compress="${COBA_JLINK_COMPRESS:-2}" \
  --exclude-files="$excluded" \
  --output "$out"

printf '%s\n' "$modules" > "$out/coba-modules.txt"
echo "jlinked $(du -sh "$out" | cut -f1) runtime with $modules" >&2

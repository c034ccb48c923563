#!/usr/bin/env bash
# Fetches the public icon and emoji sets (npm registry, exact versions) into ICONS_DIR.
# Usage: bash fetch.sh ICONS_DIR
set -euo pipefail
mkdir -p "$1" && cd "$1"
for p in noto@1.2.9 noto-v1@1.2.5 twemoji@1.2.5 openmoji@1.2.29 fluent-emoji-flat@1.2.6 \
    fluent-emoji-high-contrast@1.2.6 emojione@1.2.3 emojione-v1@1.2.3 emojione-monotone@1.2.1 \
    streamline-emojis@1.2.4 fxemoji@1.2.2 game-icons@1.2.4 icon-park-solid@1.2.4 mdi@1.2.3 \
    fa6-solid@1.2.4 tabler@1.2.41 ph@1.2.2 material-symbols@1.2.98; do
  name=${p%@*}
  npm pack -q "@iconify-json/$p" > /dev/null
  mkdir -p "$name" && tar xzf "iconify-json-$name-${p#*@}.tgz" -C "$name"
done

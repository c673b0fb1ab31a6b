#!/usr/bin/env bash
# Time one full training from an empty Rasa cache (what a fresh clone pays), without touching
# models/. Prints wall time and peak memory. (set-up wrote build/training/: the topic intents
# and rules generated from content/, see library/training.py.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
/usr/bin/time -f "full training: %e s wall, %M KB peak memory" \
  env RASA_CACHE_DIRECTORY="$scratch/cache" .venv/bin/rasa train --config build/config.yml \
  --domain build/training/domain --data data build/training/topic_rules.yml --out "$scratch" --fixed-model-name timing >/dev/null 2>"$scratch/log" \
  || { tail -20 "$scratch/log"; exit 1; }
tail -1 "$scratch/log"

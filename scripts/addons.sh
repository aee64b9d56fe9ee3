#!/usr/bin/env bash
# Prints the comma-separated list of the project's add-ons (every folder of addons/ with a manifest).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ls -d "$ROOT"/addons/*/__manifest__.py | xargs -n1 dirname | xargs -n1 basename | paste -sd, -

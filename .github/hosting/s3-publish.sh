#!/usr/bin/env bash
# Upload a built site/ to an S3 bucket served through CloudFront, with cache headers.
#
#   mkdocs build --strict && .github/hosting/s3-publish.sh BUCKET [CLOUDFRONT_DISTRIBUTION_ID]
#
# Needs the AWS CLI with credentials that may write the bucket (and invalidate the distribution).
# Pages are revalidated on every visit, so a rebuilt deal or a rotated password shows at once;
# files under assets/ are cached for an hour. New assets go up before the pages that use them,
# and stale files are removed only after the new pages are in place.
set -euo pipefail

bucket="${1:?usage: s3-publish.sh BUCKET [CLOUDFRONT_DISTRIBUTION_ID]}"
distribution="${2:-}"
site="${SITE_DIR:-site}"

if [ ! -f "$site/index.html" ]; then
  echo "s3-publish: no $site/index.html; run mkdocs build first" >&2
  exit 1
fi

aws s3 sync "$site/" "s3://$bucket/" --exclude "*" --include "assets/*" \
  --cache-control "public, max-age=3600"
aws s3 sync "$site/" "s3://$bucket/" --delete --exclude "assets/*" \
  --cache-control "no-cache"
aws s3 sync "$site/" "s3://$bucket/" --delete --exclude "*" --include "assets/*" \
  --cache-control "public, max-age=3600"

if [ -n "$distribution" ]; then
  aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*"
fi

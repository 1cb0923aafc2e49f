#!/bin/sh
# One-shot set-up of compose/microservices (the `init` service, run as root in the Fjord image): a throwaway CA and
# the gateway's TLS certificate, and a credentials file with one bearer token for tenant "demo" (push, query, tail,
# delete). Writes into /etc/fjord/secrets (./secrets on the host); keeps files that already exist.
set -eu
dir=/etc/fjord/secrets
cd "$dir"
if [ ! -f gateway.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -days 365 -subj "/CN=fjord compose CA" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout gateway.key -out gateway.csr \
    -subj "/CN=gateway" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,DNS:gateway,IP:127.0.0.1\n' > gateway.ext
  openssl x509 -req -in gateway.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile gateway.ext \
    -out gateway.crt 2>/dev/null
  rm -f gateway.csr gateway.ext ca.srl
  echo "init: wrote ca.pem, gateway.crt and gateway.key"
fi
if [ ! -f credentials.yaml ]; then
  fjord credentials mint-token --name demo --tenant demo=push,query,tail,delete > token.yaml 2> token.out
  tail -n 1 token.out > token
  { echo "users: []"; echo "tokens:"; sed 's/^/  /' token.yaml; } > credentials.yaml
  rm -f token.yaml token.out
  echo "init: wrote credentials.yaml and the bearer token in ./secrets/token"
fi
# The gateway runs as uid 10001: it must read its key and the credentials file; nobody else needs to.
chown 10001:10001 gateway.key credentials.yaml
chmod 0600 gateway.key credentials.yaml ca.key
chmod 0644 ca.pem gateway.crt token

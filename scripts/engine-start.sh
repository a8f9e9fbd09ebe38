#!/usr/bin/env bash
# Makes sure a Docker engine answers. On a Debian machine where we are root, installs
# docker.io and starts dockerd in the background; elsewhere says what to do.
set -euo pipefail

# Beside its socket, the engine the suite starts listens with TLS on 127.0.0.1:2376 (throwaway
# certificates, client certificate required), so tests drive it the way a panel drives a remote
# engine. DOCKER_CERT_PATH for a client: $TLS_DIR/client.
TLS_DIR=/var/lib/blender-lab-test/tls
TLS_PORT=2376

make_certs() {
  [ -s "$TLS_DIR/client/key.pem" ] && return 0
  command -v openssl >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
  mkdir -p "$TLS_DIR/client" && chmod 700 "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl genrsa -out ca-key.pem 2048 2>/dev/null
    openssl req -x509 -new -key ca-key.pem -days 3650 -subj "/CN=Blender Lab test CA" -out ca.pem
    openssl genrsa -out server-key.pem 2048 2>/dev/null
    openssl req -new -key server-key.pem -subj "/CN=127.0.0.1" -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl genrsa -out client/key.pem 2048 2>/dev/null
    openssl req -new -key client/key.pem -subj "/CN=blender-lab-panel" -out client.csr
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile client.ext -out client/cert.pem 2>/dev/null
    cp ca.pem client/ca.pem
    rm -f server.csr client.csr server.ext client.ext
  )
}

if docker info >/dev/null 2>&1; then
  if (exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT") 2>/dev/null; then exit 0; fi
  # An engine started some other way, without the TLS listener: where no service manager owns
  # it, start it again our way; otherwise leave it and say what is missing.
  if [ "$(id -u)" != 0 ] || [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    echo "Note: this engine has no TLS listener on 127.0.0.1:$TLS_PORT; the TLS engine tests need the engine this script starts." >&2
    exit 0
  fi
  echo "Restarting dockerd with a TLS listener on 127.0.0.1:$TLS_PORT…" >&2
  pkill -x dockerd || true
  for _ in $(seq 600); do pgrep -x dockerd >/dev/null 2>&1 || break; sleep 0.2; done
fi

if [ "$(id -u)" != 0 ]; then
  echo "Docker is not running. Start the Docker engine (e.g. 'sudo systemctl start docker') and try again." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "Installing docker.io…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

deadline=$((SECONDS + 90))
until docker info >/dev/null 2>&1; do
  # (Re)start it whenever none runs: one that was shutting down when we came may have exited.
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "Starting dockerd…" >&2
    make_certs
    nohup dockerd -H unix:///var/run/docker.sock -H "tcp://127.0.0.1:$TLS_PORT" --tlsverify \
      --tlscacert "$TLS_DIR/ca.pem" --tlscert "$TLS_DIR/server-cert.pem" --tlskey "$TLS_DIR/server-key.pem" \
      >>/var/log/blender-lab-dockerd.log 2>&1 &
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "dockerd did not answer within 90 s; see /var/log/blender-lab-dockerd.log" >&2
    tail -20 /var/log/blender-lab-dockerd.log >&2 || true
    exit 1
  fi
  sleep 0.5
done

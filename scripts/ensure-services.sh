#!/usr/bin/env bash
# Makes sure what the test suite needs is installed and running on this machine:
# etcd (Debian's etcd-server; tests start their own etcd), promtool, nginx and docker-compose
# (the deploy/ and examples/ha tests), PostgreSQL, MariaDB and Redis on their
# standard loopback ports with trust / empty-password root access. Installs with apt where missing,
# starts what is not running; never stops or reconfigures a service that is already up.
set -euo pipefail

log() { printf '[services] %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    if port_open "$port"; then return 0; fi
    sleep 0.5
  done
  log "ERROR: $name did not start listening on 127.0.0.1:$port"
  return 1
}

# --- build tools for better-sqlite3 (built from source against Node's headers) ---
missing=()
command -v make >/dev/null || missing+=(make)
command -v g++ >/dev/null || missing+=(g++)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# --- etcd: the binary only; every test starts its own server ---
if ! command -v etcd >/dev/null; then apt_install etcd-server; fi

# --- deployment tools: promtool (rules check), nginx (examples/ha), docker-compose (static check of deploy/compose) ---
tools=()
command -v promtool >/dev/null || tools+=(prometheus)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || tools+=(nginx)
command -v docker-compose >/dev/null || tools+=(docker-compose)
if [ ${#tools[@]} -gt 0 ]; then apt_install "${tools[@]}"; fi
# --- chromium: the dashboard's end-to-end test drives Debian's browser through playwright-core (never a downloaded one) ---
if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi

# --- Redis ---
if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
# Sentinel tests start their own sentinels (redis-server --sentinel); the package brings the config and binary link.
if ! command -v redis-sentinel >/dev/null; then apt_install redis-sentinel; fi
if ! port_open 6379; then
  log "starting redis-server on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port redis 6379
fi

# --- PostgreSQL ---
if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
if ! port_open 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  if [ -z "$version" ]; then log "ERROR: no PostgreSQL cluster in /etc/postgresql"; exit 1; fi
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q 'quantmesh-tests' "$hba"; then
    log "allowing trust auth on loopback in $hba"
    { echo '# quantmesh-tests: trust on loopback for the test suite'
      echo 'host all all 127.0.0.1/32 trust'
      echo 'host all all ::1/128 trust'
      cat "$hba"; } > "$hba.new" && mv "$hba.new" "$hba"
  fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port postgresql 5432
fi
if ! psql -h 127.0.0.1 -U root -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  log "creating PostgreSQL superuser root"
  su postgres -c "psql -Atc \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='root') THEN CREATE ROLE root LOGIN SUPERUSER; END IF; END \\\$\\\$\"" >/dev/null
  su postgres -c "psql -Atc 'SELECT 1' -d root" >/dev/null 2>&1 || su postgres -c "createdb -O root root" || true
fi

# --- MariaDB ---
if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then apt_install mariadb-server; fi
if ! port_open 3306; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port mariadb 3306
fi
if ! mariadb -h 127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then
  log "allowing root@127.0.0.1 with an empty password"
  mariadb -uroot -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE USER IF NOT EXISTS 'root'@'localhost' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'localhost' WITH GRANT OPTION; FLUSH PRIVILEGES;"
fi

log "ready: etcd $(etcd --version 2>/dev/null | head -1 | awk '{print $3}'), redis :6379, postgresql :5432, mariadb :3306"

#!/usr/bin/env bash
# Start the local MariaDB when it is not answering; install mariadb-server from Debian when it is missing.
set -euo pipefail
answers() { mariadb-admin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1 || mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; }

if answers; then echo "MariaDB is up"; exit 0; fi

if [ ! -x /usr/sbin/mariadbd ]; then
  echo "mariadb-server missing: installing from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mariadb-server mariadb-client >/dev/null
fi

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
fi
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql

for _ in $(seq 1 60); do
  if answers; then break; fi
  sleep 1
done
answers || { echo "MariaDB did not come up within 60 s" >&2; exit 1; }

# The tests connect as root with an empty password over TCP. A fresh Debian install lets root in by
# unix socket only: allow the empty password too (loopback only, a CI machine).
if ! mariadb --protocol=tcp -h127.0.0.1 -uroot -e "SELECT 1" >/dev/null 2>&1; then
  mariadb -uroot -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
    CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;"
fi
mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test"
echo "MariaDB started"

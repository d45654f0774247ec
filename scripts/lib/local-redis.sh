# Sourced by scripts/cluster and scripts/bench-cluster: a redis-server of
# their own on a free loopback port, persisted the way cluster mode needs it
# (README, "Cluster mode"). Needs the caller's `pids` array (it stops them).

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_local_redis DIR: data and redis.log in DIR, AOF with fsync always, no
# eviction; sets redis_port and redis_pid and adds the PID to `pids`. Returns
# non-zero, after printing the log, if it does not answer within 5 s.
start_local_redis() {
  local dir=$1
  mkdir -p "$dir"
  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir" --appendonly yes --appendfsync always \
    --save "" --maxmemory-policy noeviction --daemonize no --logfile "$dir/redis.log" &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start:" >&2
  cat "$dir/redis.log" >&2
  return 1
}

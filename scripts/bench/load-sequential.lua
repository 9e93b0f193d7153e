-- Loads k1..k$KEYS once each for wrk (scripts/bench-recovery.sh): thread t of T PUTs keys
-- t, t+T, t+2T, ...; once it has every answer for its share it stops. Values are VALUE_BYTES
-- pseudo-random printable bytes (not one repeated byte, so nothing compresses them away).
local keys = tonumber(os.getenv("KEYS") or "1000000")
local value_bytes = tonumber(os.getenv("VALUE_BYTES") or "100")
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  nthreads = counter_total or tonumber(os.getenv("WRK_THREADS") or "2")
  nextkey = id
  answered = 0
  bad = 0
  share = 0
  for k = id, keys, nthreads do share = share + 1 end
  math.randomseed(id * 7919)
  local chars = {}
  for i = 1, 4096 + value_bytes do chars[i] = string.char(math.random(97, 122)) end
  pool = table.concat(chars)
end
request = function()
  -- wrk calls request() once on the first thread's state before any connection, only to check the
  -- request it builds, and never sends that one: a key taken there would never be written (and
  -- that thread would never see its share answered). The first call of every thread takes no key.
  if not first_call_done then
    first_call_done = true
    return wrk.format("GET", "/health")
  end
  local k = nextkey
  if k > keys then
    -- every key of this thread is sent: keep the connection busy with a read until the answers are in
    return wrk.format("GET", "/health")
  end
  nextkey = nextkey + nthreads
  local off = (k * 131) % 4096 + 1
  return wrk.format("PUT", "/kv/k" .. k, {["Content-Type"]="application/octet-stream"},
    string.sub(pool, off, off + value_bytes - 1))
end
response = function(status, headers, body)
  if status == 204 then
    answered = answered + 1
  elseif status ~= 200 then
    bad = bad + 1
  end
  if answered + bad >= share then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local a, b = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("answered"); b = b + t:get("bad") end
  io.write(string.format("LOADED puts_204=%d other=%d seconds=%.1f\n", a, b, summary.duration / 1e6))
end

-- etcd counterpart of ../shared/bench/mixed.lua for wrk, used by scripts/bench.sh: the same
-- workload (random keys k1..kKEYS, WRITE_PCT percent writes of a VALUE_BYTES-byte value, the
-- rest reads) through etcd's v3 JSON gateway:
--   write: POST /v3/kv/put   {"key":"<base64>","value":"<base64>"}
--   read:  POST /v3/kv/range {"key":"<base64>"}
-- It ends with the same line as mixed.lua:
--   RESULT rps=… p50_ms=… p99_ms=… errors=… non2xx_timeouts=…
-- errors = wrk's socket/timeout/status (>= 400) errors plus reads that found no key (mixed.lua
-- counts those as 404s). The gateway answers a put and a read of a missing key with the same body
-- ({"header":{...}}), and wrk does not say which request an answer belongs to, so the missing reads
-- are counted as (answers without "kvs") - (puts sent): a lower bound, exact when every put was
-- answered, at most the thread's connection count short otherwise, and 0 when all keys exist.
-- scripts/bench.sh checks the preload exactly (a count over the whole key range) before any run.
local keyspace = tonumber(os.getenv("KEYS") or "10000")
local write_pct = tonumber(os.getenv("WRITE_PCT") or "50")
local value_bytes = tonumber(os.getenv("VALUE_BYTES") or "100")

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = alphabet:sub(c1 + 1, c1 + 1) .. alphabet:sub(c2 + 1, c2 + 1)
      .. (b and alphabet:sub(c3 + 1, c3 + 1) or "=") .. (c and alphabet:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

local value64 = base64(string.rep("v", value_bytes))
local headers = {["Content-Type"] = "application/json"}
local keys64 = {}

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  for i = 1, keyspace do keys64[i] = base64("k" .. i) end
  puts = 0
  bare = 0
end

request = function()
  local key = keys64[math.random(1, keyspace)]
  if math.random(1, 100) <= write_pct then
    puts = puts + 1
    return wrk.format("POST", "/v3/kv/put", headers, '{"key":"' .. key .. '","value":"' .. value64 .. '"}')
  end
  return wrk.format("POST", "/v3/kv/range", headers, '{"key":"' .. key .. '"}')
end

response = function(status, hdrs, body)
  if status == 200 and body:find('"kvs"', 1, true) == nil then
    bare = bare + 1
  end
end

done = function(summary, latency, requests)
  local not_found = 0
  for _, thread in ipairs(threads) do
    not_found = not_found + math.max(0, (thread:get("bare") or 0) - (thread:get("puts") or 0))
  end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx_timeouts=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50)/1000, latency:percentile(99)/1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout + not_found,
    summary.errors.timeout))
end

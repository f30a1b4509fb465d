-- wrk script: POST pre-signed LINE webhook bodies, each exactly once, then drain and report.
--
--   wrk -t1 -c32 -d600 -s bench/webhook_bodies.lua http://127.0.0.1:PORT/webhooks/line -- BODIES_PREFIX CONTROL_DIR
--
-- Thread t reads BODIES_PREFIX<t>.txt: one "signature<TAB>body" line per body (bench/bodies.py writes
-- them). Every request sends the thread's next unused body, so no event is ever sent twice. When the
-- file CONTROL_DIR/stop appears (the runner creates it when the measured period ends) or a thread runs
-- out of bodies, the thread stops sending and waits for the answers to what it already sent; then it
-- creates CONTROL_DIR/drained-<t> and the runner interrupts wrk. So no request is left in flight: every
-- body sent was answered, and the database must hold exactly 10 rows per 200 counted.
-- done() prints one line "BENCH_RESULT {json}" with the counts, the time window and wrk's latencies.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_REALTIME = 0
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(CLOCK_REALTIME, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

-- main state: the thread objects, for done()
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- thread state
local path = "/webhooks/line"
local sigs, bodies, n = {}, {}, 0
local next_body = 1
local control
local verified = false
local draining, finished = false, false
exhausted = false
issued, answered, ok, other = 0, 0, 0, 0
statuses = ""
first_sent, last_answer = 0, 0
local status_counts = {}
local delay_calls = 0

function init(args)
  path = wrk.path
  control = args[2]
  for line in io.lines(args[1] .. tid .. ".txt") do
    local tab = line:find("\t", 1, true)
    n = n + 1
    sigs[n] = line:sub(1, tab - 1)
    bodies[n] = line:sub(tab + 1)
  end
  local f = io.open(control .. "/started-" .. tid, "w")
  f:write(tostring(n))
  f:close()
end

local function stop_requested()
  local f = io.open(control .. "/stop", "r")
  if f then
    f:close()
    return true
  end
  return false
end

local function finish_if_drained()
  if draining and not finished and answered == issued then
    finished = true
    local parts = {}
    for code, count in pairs(status_counts) do
      table.insert(parts, code .. ":" .. count)
    end
    statuses = table.concat(parts, ",")
    local f = io.open(control .. "/drained-" .. tid, "w")
    f:write(tostring(answered))
    f:close()
  end
end

-- Called before every request: 0 ms while running; once stopping, an hour (the connection idles).
function delay()
  if not draining then
    delay_calls = delay_calls + 1
    if next_body > n then
      draining, exhausted = true, true
    elseif delay_calls % 8 == 0 and stop_requested() then
      draining = true
    end
  end
  if draining then
    finish_if_drained()
    return 3600000
  end
  return 0
end

function request()
  -- wrk calls request() once on thread 0 before the run to check the script; that one is never sent.
  if tid == 0 and not verified then
    verified = true
    return wrk.format("POST", path, nil, "")
  end
  local i = next_body
  next_body = i + 1
  issued = issued + 1
  if first_sent == 0 then
    first_sent = now()
  end
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json; charset=utf-8",
    ["X-Line-Signature"] = sigs[i],
  }, bodies[i])
end

function response(status, headers, body)
  answered = answered + 1
  last_answer = now()
  if status == 200 then
    ok = ok + 1
  else
    other = other + 1
    status_counts[status] = (status_counts[status] or 0) + 1
  end
  finish_if_drained()
end

function done(summary, latency, requests)
  local out = {}
  local function add(key, value)
    table.insert(out, string.format("%q:%s", key, value))
  end
  local per_thread = {}
  local t_ok, t_other, t_issued, t_answered = 0, 0, 0, 0
  local t_first, t_last = 0, 0
  local any_exhausted = false
  for _, thread in ipairs(threads) do
    local th_ok, th_other = thread:get("ok"), thread:get("other")
    local th_issued, th_answered = thread:get("issued"), thread:get("answered")
    local th_first, th_last = thread:get("first_sent"), thread:get("last_answer")
    local th_exhausted = thread:get("exhausted")
    t_ok, t_other = t_ok + th_ok, t_other + th_other
    t_issued, t_answered = t_issued + th_issued, t_answered + th_answered
    if th_first > 0 and (t_first == 0 or th_first < t_first) then t_first = th_first end
    if th_last > t_last then t_last = th_last end
    any_exhausted = any_exhausted or th_exhausted
    table.insert(per_thread, string.format(
      '{"tid":%d,"issued":%d,"answered":%d,"ok":%d,"other":%d,"statuses":"%s","exhausted":%s}',
      thread:get("tid"), th_issued, th_answered, th_ok, th_other, thread:get("statuses") or "",
      tostring(th_exhausted)))
  end
  add("ok", t_ok)
  add("other", t_other)
  add("issued", t_issued)
  add("answered", t_answered)
  add("first_sent", string.format("%.6f", t_first))
  add("last_answer", string.format("%.6f", t_last))
  add("exhausted", tostring(any_exhausted))
  add("wrk_requests", summary.requests)
  add("wrk_duration_us", summary.duration)
  add("errors", string.format('{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  local pct = {}
  for _, p in ipairs({ 50, 75, 90, 99, 99.9 }) do
    table.insert(pct, string.format('"%s":%d', tostring(p), latency:percentile(p)))
  end
  add("latency_us", "{" .. table.concat(pct, ",") .. string.format(',"mean":%.1f,"max":%d}', latency.mean,
    latency.max))
  add("threads", "[" .. table.concat(per_thread, ",") .. "]")
  io.write("BENCH_RESULT {" .. table.concat(out, ",") .. "}\n")
end

-- One benchmark scenario for wrk, configured by bench/run through the environment:
--   BENCH_METHOD   GET, POST, PATCH, ...
--   BENCH_EXPECT   the status every response must have (anything else is an error)
--   BENCH_PATHS    optional file of request paths, one a line, taken in turn
--   BENCH_HEADERS  optional "Name: value" lines
--   BENCH_BODY     optional request body; "__N__" becomes a number unique to the request
-- done() prints one line, "BENCH_JSON {...}", with requests/s, latency percentiles and errors.

local method = os.getenv("BENCH_METHOD") or "GET"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local paths_file = os.getenv("BENCH_PATHS")
local headers_spec = os.getenv("BENCH_HEADERS")
local body_template = os.getenv("BENCH_BODY")

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  if paths_file and paths_file ~= "" then
    for line in io.lines(paths_file) do
      if line ~= "" then paths[#paths + 1] = line end
    end
  end
  if #paths == 0 then paths[1] = wrk.path end
  hdrs = {}
  if headers_spec then
    for line in headers_spec:gmatch("[^\n]+") do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name then hdrs[name] = value end
    end
  end
  -- Threads start at different places in the path list.
  cursor = ((id - 1) * 7919) % #paths
  n = 0
  unexpected = 0
  bad_status = 0
end

function request()
  n = n + 1
  cursor = cursor % #paths + 1
  local body = nil
  if body_template then
    body = (body_template:gsub("__N__", id .. "-" .. n))
  end
  local h = {}
  for k, v in pairs(hdrs) do h[k] = v end
  return wrk.format(method, paths[cursor], h, body)
end

-- Checking each status in Lua makes wrk copy every body into a Lua string: for a 250 KB list
-- that costs the client more than the server spends answering (a page fault per 4 KB), and the
-- measurement would be of wrk. So where the expected status is 200, wrk's own count of
-- answers outside 2xx and 3xx stands in for the check (bench/run has already seen the expected
-- answer to the same request); the other scenarios have small bodies and check each status.
counted_by_wrk = expect == 200
if not counted_by_wrk then
  function response(status, headers, body)
    if status ~= expect then
      unexpected = unexpected + 1
      if bad_status == 0 then bad_status = status end
    end
  end
end

function done(summary, latency, requests)
  local unexpected_total, first_bad = 0, 0
  for _, t in ipairs(threads) do
    unexpected_total = unexpected_total + t:get("unexpected")
    if first_bad == 0 then first_bad = t:get("bad_status") end
  end
  local e = summary.errors
  if counted_by_wrk then unexpected_total = e.status end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"seconds":%.3f,"rps":%.2f,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"non_2xx_3xx":%d,' ..
    '"unexpected_status":%d,"first_unexpected_status":%d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status, unexpected_total, first_bad))
end

-- wrk script: every request validates a different, pre-created service ticket.
-- Arguments (after --): <ticket file> <url-encoded service> <endpoint path>
-- Each wrk thread takes every n-th line of the file, so no ticket is sent twice; a thread that runs out of
-- tickets stops (ran_out in the result): what it validated and the CPU it cost still count, but wrk still
-- waits out the duration, so the wall-clock rate is then low.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "../spend.lua")  -- next_value(): one value per request, the thread stops when none is left
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, service, endpoint = args[1], args[2], args[3]
  local nthreads = #threads > 0 and #threads or tonumber(args[4] or "1")
  tickets, ok, bad, n, left = {}, 0, 0, 0, 0
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == id then table.insert(tickets, line) end
    i = i + 1
  end
  prefix = endpoint .. "?service=" .. service .. "&ticket="
end

function request()
  return wrk.format("GET", prefix .. next_value(tickets, "ST-none-left"))
end

function response(status, headers, body)
  if status == 200 and string.find(body, "authenticationSuccess", 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, failed, short = 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    failed = failed + thread:get("bad")
    short = short + thread:get("left")
  end
  io.write(string.format(
    "RESULT ok=%d bad=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d ran_out=%d\n",
    good, failed, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    short))
end

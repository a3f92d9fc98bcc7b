-- wrk script: authorization requests with a signed-in session cookie; every code the server
-- returns in its redirect is written to <prefix><thread>.txt, for the token endpoint run.
-- Arguments (after --): <authorize path and query> <cookie header> <output prefix>
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  path, cookie = args[1], args[2]
  out = io.open(args[3] .. id .. ".txt", "a")
  got, bad = 0, 0
end

function request()
  return wrk.format("GET", path, { ["Cookie"] = cookie })
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  local code = string.match(location, "[?&]code=([^&]+)")
  if (status == 302 or status == 303) and code then
    out:write(code, "\n")
    got = got + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, failed = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("got")
    failed = failed + thread:get("bad")
  end
  io.write(string.format("RESULT ok=%d bad=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    good, failed, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

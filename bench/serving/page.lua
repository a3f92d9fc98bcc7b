-- wrk script: GET a page; counts a request as good when the status is 200.
-- Arguments (after --): <path>
function init(args)
  path, ok, bad = args[1], 0, 0
end

function request()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT ok=%d bad=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests - summary.errors.status, summary.errors.status, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

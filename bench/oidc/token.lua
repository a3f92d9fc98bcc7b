-- wrk script: every request exchanges a different authorization code at the token endpoint
-- (client_secret_basic, PKCE). Arguments (after --):
--   <codes file> <token path> <redirect_uri (url-encoded)> <code_verifier> <Authorization header> [threads]
--   [output prefix]
-- Each wrk thread takes every n-th line of the file, so no code is sent twice; a thread that runs out of
-- codes stops (ran_out in the result: the wall-clock rate is then low). With an output prefix,
-- the refresh token of every good answer is written to <prefix><thread>.txt (for refresh.lua).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "../spend.lua")  -- next_value(): one value per request, the thread stops when none is left
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  token_path, redirect, verifier, authorization = args[2], args[3], args[4], args[5]
  local nthreads = #threads > 0 and #threads or tonumber(args[6] or "1")
  if args[7] and args[7] ~= "" then out = io.open(args[7] .. id .. ".txt", "a") end
  codes, ok, bad, n, left = {}, 0, 0, 0, 0
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == id then table.insert(codes, line) end
    i = i + 1
  end
end

function request()
  local code = next_value(codes, "none-left")
  local body = "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. redirect
    .. "&code_verifier=" .. verifier
  return wrk.format("POST", token_path, { ["Authorization"] = authorization,
    ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, "id_token", 1, true) then
    ok = ok + 1
    local refresh = out and string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
    if refresh then out:write(refresh, "\n") end
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
  io.write(string.format("RESULT ok=%d bad=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d "
    .. "ran_out=%d\n", good, failed, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, short))
end

-- wrk script: every request spends a different refresh token at the token endpoint (grant_type
-- refresh_token, client_secret_basic). A request counts only if the answer holds a new access token
-- and a refresh token, neither seen before (both servers rotate refresh tokens). Arguments (after --):
--   <tokens file> <token path> <Authorization header> [output prefix]
-- Run with one wrk thread: the tokens are sent in the file's order, each once. With an output
-- prefix, the new refresh tokens are written to <prefix><thread>.txt (the next round's tokens).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "../spend.lua")  -- next_value(): one value per request, the thread stops when none is left
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  token_path, authorization = args[2], args[3]
  if args[4] and args[4] ~= "" then out = io.open(args[4] .. id .. ".txt", "a") end
  tokens, seen, ok, bad, n, left = {}, {}, 0, 0, 0, 0
  for line in io.lines(path) do
    table.insert(tokens, line)
    seen[line] = true
  end
end

function request()
  local token = next_value(tokens, "none-left")
  return wrk.format("POST", token_path, { ["Authorization"] = authorization,
    ["Content-Type"] = "application/x-www-form-urlencoded" }, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  local access = status == 200 and string.match(body, '"access_token"%s*:%s*"([^"]+)"')
  local refresh = access and string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
  if refresh and not seen[access] and not seen[refresh] then
    seen[access], seen[refresh] = true, true
    ok = ok + 1
    if out then out:write(refresh, "\n") end
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, failed, short, sent = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    failed = failed + thread:get("bad")
    short = short + thread:get("left")
    sent = sent + thread:get("n")
  end
  io.write(string.format("RESULT ok=%d bad=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d "
    .. "ran_out=%d sent=%d\n", good, failed, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, short, sent))
end

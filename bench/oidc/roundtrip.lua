-- wrk script: the full authorization code round trip of a signed-in person: GET the authorization
-- endpoint (with the session cookie), take the code from the redirect, exchange it at the token endpoint.
-- A round trip counts when the token response carries an ID token. Arguments (after --):
--   <authorize path and query> <cookie header> <token path> <redirect_uri (url-encoded)> <code_verifier>
--   <Authorization header> [output prefix]
-- With an output prefix, the refresh token of every round trip is written to <prefix><thread>.txt.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  authorize, cookie, token_path, redirect, verifier, authorization = args[1], args[2], args[3], args[4], args[5],
    args[6]
  if args[7] and args[7] ~= "" then out = io.open(args[7] .. id .. ".txt", "a") end
  queue, trips, bad = {}, 0, 0
end

function request()
  local code = table.remove(queue)
  if code then
    local body = "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. redirect
      .. "&code_verifier=" .. verifier
    return wrk.format("POST", token_path, { ["Authorization"] = authorization,
      ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  end
  return wrk.format("GET", authorize, { ["Cookie"] = cookie })
end

function response(status, headers, body)
  if status == 302 or status == 303 then
    local location = headers["Location"] or headers["location"] or ""
    local code = string.match(location, "[?&]code=([^&]+)")
    if code then table.insert(queue, code) else bad = bad + 1 end
  elseif status == 200 and string.find(body, "id_token", 1, true) then
    trips = trips + 1
    local refresh = out and string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
    if refresh then out:write(refresh, "\n") end
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, failed = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("trips")
    failed = failed + thread:get("bad")
  end
  io.write(string.format("RESULT ok=%d bad=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    good, failed, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

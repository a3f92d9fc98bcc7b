-- Shared by the wrk scripts whose every request spends one pre-made value (a CAS ticket, an authorization
-- code, a refresh token): bench/cas_validate/validate.lua, bench/oidc/token.lua, bench/oidc/refresh.lua.
-- Each loads it with the two lines under its header. The script's globals ``n`` (values taken) and ``left``
-- (runs out) are kept here.

-- The next value of ``values``; when there is none left the thread stops (``left`` counts it), and
-- ``placeholder`` goes out as its last request, which the server refuses and the script counts as bad.
function next_value(values, placeholder)
  n = n + 1
  local value = values[n]
  if not value then
    left = left + 1
    wrk.thread:stop()
    value = placeholder
  end
  return value
end

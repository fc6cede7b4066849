-- Shared by every scenario (each loads it with dofile): counts responses outside 2xx in each wrk
-- thread, and at the end prints one line that bench/run.sh reads:
--   FFF_RESULT {"requests":…,"duration_us":…,"non2xx":…,"socket_errors":{…},"latency_us":{…}}
-- wrk runs one Lua state per thread plus one for setup/done, so the counts travel through
-- thread:get() at the end.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

non2xx = 0

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'FFF_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, bad,
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end

-- Cycles through `requests` (whole requests made with wrk.format), each thread starting at its
-- own offset so threads do not march in step.
function cycle(requests)
  if #requests == 0 then
    error("scenario has no requests to make")
  end
  local i = ((thread_index or 1) - 1) * 7919 % #requests
  return function()
    i = i % #requests + 1
    return requests[i]
  end
end

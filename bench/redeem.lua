-- wrk script: every request POSTs one pre-issued authorization code, and a code is sent once.
--
--   wrk -s bench/redeem.lua URL -- CODES PREFIX SUFFIX EXPECT
--
-- CODES is a path with "%d" for the thread's number (1, 2, ...): each wrk thread reads its own
-- file, one code a line, written by bench/wrk.py. A request's body is PREFIX .. code .. SUFFIX.
-- An answer counts as a success only when it is a 200 whose body contains EXPECT; anything else
-- is a failure. Headers (Content-Type, Authorization) come from the environment variable
-- BENCH_HEADERS, one "Name: value" a line, so the client secret stays off the command line.
-- done() prints one line, "bench-result " followed by JSON, which bench/wrk.py reads.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("number", counter)
   table.insert(threads, thread)
end

-- Per thread (each has its own Lua state): its codes, and what it saw. What done() reads is
-- global, as thread:get reads only globals.
local codes, next_code = {}, 1
local prefix, suffix, expect
failures, exhausted, sample, sent = 0, false, nil, 0

function init(args)
   prefix, suffix, expect = args[2], args[3], args[4]
   for code in io.lines(string.format(args[1], wrk.thread:get("number"))) do
      codes[#codes + 1] = code
   end
   for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      wrk.headers[name] = value
   end
end

function request()
   local code = codes[next_code]
   if code == nil then
      -- Out of codes: stop this thread. The request still returned (wrk needs one) reuses the
      -- last code; its answer is not counted, and the run is failed for running out.
      exhausted = true
      wrk.thread:stop()
      code = codes[#codes] or ""
   end
   next_code = next_code + 1
   sent = sent + 1
   return wrk.format("POST", nil, nil, prefix .. code .. suffix)
end

function response(status, headers, body)
   if exhausted then
      return
   end
   if status ~= 200 or not string.find(body, expect, 1, true) then
      failures = failures + 1
      if sample == nil then
         sample = "HTTP " .. status .. ": " .. string.sub(body, 1, 300)
      end
   end
end

local function json_string(text)
   return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
   local failed, sent, out_of_codes, samples = 0, 0, false, {}
   for _, thread in ipairs(threads) do
      failed = failed + (thread:get("failures") or 0)
      sent = sent + (thread:get("sent") or 0)
      out_of_codes = out_of_codes or thread:get("exhausted") == true
      local sample = thread:get("sample")
      if sample then
         samples[#samples + 1] = json_string(sample)
      end
   end
   local errors = summary.errors
   local percentiles = {}
   for _, p in ipairs({50, 90, 99, 99.9}) do
      percentiles[#percentiles + 1] = string.format('"%s": %.1f', p, latency:percentile(p))
   end
   io.write(string.format(
      'bench-result {"requests": %d, "duration_us": %d, "failures": %d, "sent": %d, "exhausted": %s, '
         .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
         .. '"latency_us": {"mean": %.1f, "max": %.1f, "percentiles": {%s}}, "samples": [%s]}\n',
      summary.requests, summary.duration, failed, sent, tostring(out_of_codes),
      errors.connect, errors.read, errors.write, errors.timeout,
      latency.mean, latency.max, table.concat(percentiles, ", "), table.concat(samples, ", ")))
end

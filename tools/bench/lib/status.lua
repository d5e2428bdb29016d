-- status.lua — wrk: GET /status/{esID} of a random synthetic seal
-- (tools/bench/lib/seals.py: esID 350102 + 8 digits, 0 … SEALS-1) asking
-- for the DER. Used against eseal-publisherd and against nginx serving the
-- same responses as files.
local seals = tonumber(os.getenv("SEALS") or "1000")
local headers = { ["Accept"] = "application/eseal-status" }
local thread_no = 0

function setup(thread)
    thread_no = thread_no + 1
    thread:set("seed", thread_no)
end

function init(args)
    math.randomseed(seed or 1)
end

function request()
    return wrk.format("GET", string.format("/status/350102%08d", math.random(0, seals - 1)), headers)
end

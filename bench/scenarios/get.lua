-- One fixed URL (the one on wrk's command line), e.g. /api/v1/ping or /healthz.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

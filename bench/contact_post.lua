-- wrk script of durable_bench.sh: POST /api/v1/contacts, one JSON body
-- for every request (the bench passes the ids and the token in the
-- environment). Each request creates one contact, answered 201 once durable.
local tenant = os.getenv("BENCH_TENANT")
local queue = os.getenv("BENCH_QUEUE")
local channel = os.getenv("BENCH_CHANNEL") or "email"
local token = os.getenv("BENCH_TOKEN")

wrk.method = "POST"
wrk.path = "/api/v1/contacts"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = string.format(
	'{"tenant":"%s","queue":"%s","channel":"%s","priority":0,' ..
	'"attributes":{"source":"durable_bench","ref":"A-12345"}}',
	tenant, queue, channel)

-- wrk script of restart_bench.sh (run it with one thread): at most
-- BENCH_COUNT POSTs of a waiting contact, then GET /healthz (wrk must send
-- something). Once all but BENCH_SLACK creations were answered 201, the
-- thread stops and writes the file BENCH_DONE, upon which the bench
-- interrupts wrk (whose main thread would sleep its whole duration). wrk
-- may ask for a request it never sends, and stops with requests in
-- flight: the bench counts the contacts and tops them up. Answers other
-- than 201 and 200 count as bad.
local tenant = os.getenv("BENCH_TENANT")
local queue = os.getenv("BENCH_QUEUE")
local token = os.getenv("BENCH_TOKEN")
local count = tonumber(os.getenv("BENCH_COUNT"))
local slack = tonumber(os.getenv("BENCH_SLACK"))
local done_file = os.getenv("BENCH_DONE")
local threads = {}
local post, health
sent, created, bad = 0, 0, 0

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	post = wrk.format("POST", "/api/v1/contacts", {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. token,
	}, string.format(
		'{"tenant":"%s","queue":"%s","channel":"email",' ..
		'"attributes":{"source":"restart_bench","ref":"A-12345"}}',
		tenant, queue))
	health = wrk.format("GET", "/healthz")
end

function request()
	sent = sent + 1
	if sent <= count then
		return post
	end
	return health
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
		if created == count - slack then
			io.open(done_file, "w"):close()
			wrk.thread:stop()
		end
	elseif status ~= 200 then
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	for _, t in ipairs(threads) do
		io.write(string.format("restart_post created=%d bad=%d\n",
			t:get("created"), t:get("bad")))
	end
end

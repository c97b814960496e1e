-- Lua workload: table, string and coroutine heavy computation.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local gen = coroutine.wrap(function() for i = 1, 200000 do coroutine.yield(i) end end)
local sum = 0
for _ = 1, 200000 do sum = sum + gen() end
local parts = {}
for i = 1, 50000 do parts[#parts + 1] = string.format("%d:%x", i, i * 7) end
local s = table.concat(parts, ",")
print(fib(27), sum, #s, select(2, s:gsub(":", ":")))

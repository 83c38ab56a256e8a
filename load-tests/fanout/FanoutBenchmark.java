import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Fan-out of the change feed against a running segstream, for a tenant key and a segment whose rule is
 * {"tag": "vip"} (load-tests/fanout/run.sh sets both up). Clients are Reactor Netty HttpClients in this
 * one JVM; run with the service's libraries on the class path (run.sh extracts them from the jar):
 *
 *   java -cp 'lib/*' load-tests/fanout/FanoutBenchmark.java fanout --url U --key K --streams 10000 --reps 7
 *       opens N SSE streams on /v1/segments/vip/changes, then REPS times: posts one event that makes one
 *       contact enter vip and measures the time from the request's start until every stream has received
 *       that change. Prints each repetition and the median. --protocol h2c --per-connection 100 opens the
 *       streams over HTTP/2 without TLS, that many on each connection (the service's
 *       segstream.http2.max-concurrent-streams must allow as many, or the streams beyond it wait).
 *   java -cp 'lib/*' load-tests/fanout/FanoutBenchmark.java ingest --url U --key K --streams 2000 --clients 200 \
 *        --requests 3 --events 1
 *       opens N SSE streams, then CLIENTS concurrent clients each post REQUESTS requests of EVENTS events
 *       (each a new contact entering vip); counts the answers by status (503s named) with their p50/p99
 *       time, then waits until every stream has received every change.
 */
public class FanoutBenchmark {

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of("--url", "http://127.0.0.1:8080", "--segment", "vip",
                "--streams", "10000", "--reps", "7", "--clients", "200", "--requests", "3", "--events", "1", "--reader", "netty", "--warm", "5"));
        opt.put("--protocol", "http11");
        opt.put("--per-connection", "100");
        for (int i = 1; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        Bench b = new Bench(opt);
        if (opt.get("--reader").equals("nio")) {
            if (!args[0].equals("fanout")) throw new IllegalArgumentException("--reader nio measures the fan-out only");
            b.nio = new NioReader(b, opt.get("--protocol"), Integer.parseInt(opt.get("--per-connection")));
            b.nio.open(Integer.parseInt(opt.get("--streams")));
        } else {
            b.open(Integer.parseInt(opt.get("--streams")));
        }
        if (args[0].equals("fanout")) b.fanout(Integer.parseInt(opt.get("--reps")), Integer.parseInt(opt.get("--warm")));
        else b.ingest(Integer.parseInt(opt.get("--clients")), Integer.parseInt(opt.get("--requests")), Integer.parseInt(opt.get("--events")));
        System.exit(0);
    }

    static final class Bench {
        final String url;
        final String key;
        final String segment;
        final String run = Long.toString(System.currentTimeMillis(), 36);
        /** One connection per stream, none pooled. */
        final HttpClient sse;
        /** For posting events: up to 512 connections. */
        final HttpClient api;
        final List<Stream> streams = Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<String> marker = new AtomicReference<>("\u0000");
        volatile CountDownLatch reached = new CountDownLatch(0);
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger problems = new AtomicInteger();
        /** The selector reader, when the streams are read by one thread (--reader nio). */
        NioReader nio;
        /** The service's process id, for its CPU time (0: not measured). */
        final long pid;

        Bench(Map<String, String> opt) {
            url = opt.get("--url");
            key = opt.get("--key");
            segment = opt.get("--segment");
            pid = Long.parseLong(opt.getOrDefault("--pid", "0"));
            sse = sseClient(opt.get("--protocol"), Integer.parseInt(opt.get("--per-connection")), Integer.parseInt(opt.get("--streams"))).baseUrl(url)
                    .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key).set(HttpHeaderNames.ACCEPT, "text/event-stream"));
            api = HttpClient.create(ConnectionProvider.builder("api").maxConnections(512).pendingAcquireMaxCount(-1).build()).baseUrl(url)
                    .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key).set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                    .responseTimeout(Duration.ofSeconds(60));
        }

        /**
         * HTTP/1.1: one connection per stream, none pooled. h2c (HTTP/2 without TLS, prior knowledge): the
         * streams share connections, at most {@code perConnection} streams on each.
         */
        static HttpClient sseClient(String protocol, int perConnection, int streams) {
            if (protocol.equals("http11")) return HttpClient.create(ConnectionProvider.newConnection());
            if (!protocol.equals("h2c")) throw new IllegalArgumentException("--protocol http11 or h2c");
            int connections = (streams + perConnection - 1) / perConnection;
            ConnectionProvider pool = ConnectionProvider.builder("sse").pendingAcquireMaxCount(-1)
                    .allocationStrategy(Http2AllocationStrategy.builder().maxConcurrentStreams(perConnection)
                            .minConnections(1).maxConnections(connections).build())
                    .build();
            return HttpClient.create(pool).protocol(HttpProtocol.H2C);
        }

        /** One SSE stream: counts the enters it received and notes the current marker once. */
        final class Stream {
            final AtomicLong enters = new AtomicLong();
            String carry = "";
            String lastMarker = "";

            void chunk(String s) {
                String text = carry + s;
                int from = 0;
                int at;
                long n = 0;
                // An enter line ending in this chunk is new; one that ended in the carried tail was counted.
                while ((at = text.indexOf(ENTER, from)) >= 0) {
                    if (at + ENTER.length() > carry.length()) n++;
                    from = at + 1;
                }
                if (n > 0) enters.addAndGet(n);
                String m = marker.get();
                if (!m.equals(lastMarker) && text.contains(m)) {
                    lastMarker = m;
                    reached.countDown();
                }
                carry = text.length() > 100 ? text.substring(text.length() - 100) : text;
            }
        }

        static final String ENTER = "event: enter\n";

        void open(int n) {
            long t0 = System.nanoTime();
            AtomicInteger connected = new AtomicInteger();
            // At most 200 handshakes at a time (a burst of 10,000 SYNs overflows the accept backlog).
            Flux.range(0, n).flatMap(i -> Mono.<Void>create(ready -> {
                Stream s = new Stream();
                streams.add(s);
                AtomicInteger first = new AtomicInteger();
                sse.get().uri("/v1/segments/" + segment + "/changes").responseContent().asString(StandardCharsets.UTF_8)
                        .subscribe(chunk -> {
                            if (first.getAndIncrement() == 0) {
                                connected.incrementAndGet();
                                ready.success();
                            }
                            s.chunk(chunk);
                        }, e -> {
                            ended.incrementAndGet();
                            ready.success();
                        }, () -> {
                            ended.incrementAndGet();
                            ready.success();
                        });
            }), 200).blockLast(Duration.ofMinutes(5));
            System.out.printf("streams: %d of %d connected in %.1f s%n", connected.get(), n, (System.nanoTime() - t0) / 1e9);
        }

        /** Posts events of contacts {@code ids}, each tagged vip; returns the status. */
        Mono<Integer> post(List<String> ids) {
            StringBuilder body = new StringBuilder("[");
            String now = Instant.now().toString();
            for (String id : ids) {
                if (body.length() > 1) body.append(',');
                body.append("{\"id\":\"").append(id).append("\",\"contactId\":\"").append(id)
                        .append("\",\"type\":\"contact.tagged\",\"occurredAt\":\"").append(now).append("\",\"properties\":{\"tag\":\"vip\"}}");
            }
            body.append(']');
            return api.post().uri("/v1/events").send(reactor.netty.ByteBufFlux.fromString(Mono.just(body.toString())))
                    .responseSingle((r, content) -> content.asString().defaultIfEmpty("").map(text -> {
                        if (r.status().code() != 202 && problems.getAndIncrement() == 0) System.out.println("first failed answer: " + r.status() + " " + text);
                        return r.status().code();
                    }))
                    .onErrorResume(e -> Mono.just(-1));
        }

        void fanout(int reps, int warm) throws Exception {
            int n = nio != null ? nio.streams : streams.size();
            List<Double> ms = new ArrayList<>();
            List<Double> fromAnswer = new ArrayList<>();
            List<Double> serviceMs = new ArrayList<>();
            // Changes before measuring: first-use costs, and the JIT compiles the delivery path.
            for (int w = 0; w < warm; w++) {
                post(List.of("warm-" + run + "-" + w)).block();
                Thread.sleep(1000);
            }
            Thread.sleep(1000);
            String jfr = emptyToNull(System.getenv("FANOUT_JFR"));
            if (jfr != null && pid != 0) jcmd("JFR.start", "name=fanout", "settings=profile", "filename=" + jfr);
            String perfFile = emptyToNull(System.getenv("FANOUT_PERF"));
            Process perf = perfFile == null ? null
                    : new ProcessBuilder("perf", "record", "-a", "-g", "-F", "999", "-o", perfFile).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Map<String, Long> threads0 = serviceThreadTicks();
            for (int r = 0; r < reps; r++) {
                String id = "m-" + run + "-" + r;
                int live = n - ended.get();
                reached = new CountDownLatch(live);
                marker.set("\"contactId\":\"" + id + "\"");
                if (nio != null) nio.expect(marker.get(), live);
                double cpu0 = serviceCpu();
                double client0 = clientCpu();
                double reader0 = nio != null ? nio.cpuMs() : 0;
                long s0 = System.nanoTime();
                int status = post(List.of(id)).block();
                long answered = System.nanoTime();
                boolean all = reached.await(60, TimeUnit.SECONDS);
                long last = nio != null ? nio.lastArrival : System.nanoTime();
                double took = (last - s0) / 1e6;
                double afterAnswer = (last - answered) / 1e6;
                double cpu = serviceCpu() - cpu0;
                double client = clientCpu() - client0;
                ms.add(took);
                fromAnswer.add(afterAnswer);
                serviceMs.add(cpu);
                String spread = nio == null ? "" : String.format("; arrivals after the answer: first %.1f ms, p50 %.1f ms, p90 %.1f ms; reader thread CPU %.0f ms",
                        (nio.firstArrival - answered) / 1e6, (nio.arrivalPct(0.5) - answered) / 1e6, (nio.arrivalPct(0.9) - answered) / 1e6, nio.cpuMs() - reader0);
                System.out.printf("rep %d: one change reached %d of %d streams in %.0f ms from the request, %.0f ms from the answer (ingest %.0f ms, status %d)%s; "
                        + "CPU meanwhile: service %.0f ms, client %.0f ms%s%n",
                        r + 1, live - reached.getCount(), n, took, afterAnswer, (answered - s0) / 1e6, status, all ? "" : " INCOMPLETE", cpu, client, spread);
                Thread.sleep(1000);
            }
            Map<String, Long> threads1 = serviceThreadTicks();
            if (jfr != null && pid != 0) jcmd("JFR.stop", "name=fanout");
            if (perf != null) {
                new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
                perf.waitFor();
            }
            List<Double> sorted = new ArrayList<>(ms);
            Collections.sort(sorted);
            Collections.sort(fromAnswer);
            Collections.sort(serviceMs);
            System.out.printf("one change to %d streams: median %.0f ms over %d repetitions (min %.0f, max %.0f), from the ingest answer median %.0f ms "
                    + "(min %.0f, max %.0f); service CPU median %.0f ms (%.1f us per stream); streams ended meanwhile: %d%n", n,
                    sorted.get(sorted.size() / 2), reps, sorted.get(0), sorted.get(sorted.size() - 1),
                    fromAnswer.get(reps / 2), fromAnswer.get(0), fromAnswer.get(reps - 1),
                    serviceMs.get(serviceMs.size() / 2), serviceMs.get(serviceMs.size() / 2) * 1000 / n, ended.get());
            if (!threads1.isEmpty()) {
                StringBuilder sb = new StringBuilder("service CPU by thread over the repetitions (ms, user and system, threads named alike summed, digits as #):");
                threads1.entrySet().stream().map(e -> Map.entry(e.getKey(), (e.getValue() - threads0.getOrDefault(e.getKey(), 0L)) * 10))
                        .filter(e -> e.getValue() > 0).sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                        .forEach(e -> sb.append(", ").append(e.getKey()).append(' ').append(e.getValue()));
                System.out.println(sb);
            }
        }

        static String emptyToNull(String s) {
            return s == null || s.isEmpty() ? null : s;
        }

        /** Runs jcmd on the service (the JDK's, beside this java), waiting for it. */
        void jcmd(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
            cmd.addAll(List.of(args));
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }

        /** CPU ticks (user + system) of each of the service's threads so far, by name with digits dropped. */
        Map<String, Long> serviceThreadTicks() {
            Map<String, Long> out = new TreeMap<>();
            if (pid == 0) return out;
            try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
                for (var task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                    try {
                        String stat = java.nio.file.Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        out.merge(name + " user", Long.parseLong(f[11]), Long::sum);
                        out.merge(name + " sys", Long.parseLong(f[12]), Long::sum);
                    } catch (Exception gone) {
                        // a thread that ended meanwhile
                    }
                }
            } catch (Exception e) {
                return out;
            }
            return out;
        }

        void ingest(int clients, int requests, int events) throws Exception {
            int n = streams.size();
            Thread.sleep(2000);
            long before = streams.stream().mapToLong(s -> s.enters.get()).sum();
            Map<Integer, AtomicInteger> statuses = new TreeMap<>();
            List<Long> took = Collections.synchronizedList(new ArrayList<>());
            double cpu0 = serviceCpu();
            long t0 = System.nanoTime();
            Flux.range(0, clients).flatMap(c -> Flux.range(0, requests).concatMap(q -> {
                List<String> ids = new ArrayList<>();
                for (int e = 0; e < events; e++) ids.add("i-" + run + "-" + c + "-" + q + "-" + e);
                long s0 = System.nanoTime();
                return post(ids).doOnNext(status -> {
                    took.add(System.nanoTime() - s0);
                    synchronized (statuses) {
                        statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                    }
                });
            }), clients).blockLast(Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Long> sorted = new ArrayList<>(took);
            Collections.sort(sorted);
            int accepted = statuses.getOrDefault(202, new AtomicInteger()).get();
            System.out.printf("ingest: %d clients x %d requests x %d events in %.1f s with %d streams open: statuses %s; 503s: %d; "
                            + "request p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    clients, requests, events, seconds, n, statuses, statuses.getOrDefault(503, new AtomicInteger()).get(),
                    pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
            long expected = (long) accepted * events * (n - ended.get());
            long t1 = System.nanoTime();
            long got = 0;
            while (System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(120)) {
                got = streams.stream().mapToLong(s -> s.enters.get()).sum() - before;
                if (got >= expected) break;
                Thread.sleep(100);
            }
            System.out.printf("delivered: %d of %d changes x streams (%d accepted events to %d streams) %.1f s after the last answer; "
                    + "streams ended meanwhile: %d; service CPU from the first request to the last delivery: %.0f ms%n", got, expected,
                    accepted * events, n - ended.get(), (System.nanoTime() - t1) / 1e9, ended.get(), serviceCpu() - cpu0);
        }

        /** CPU time (user + system) of the service so far, ms, from /proc/PID/stat (ticks of 10 ms); -1 without a pid. */
        double serviceCpu() {
            if (pid == 0) return -1;
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0; // utime, stime (fields 14, 15)
            } catch (Exception e) {
                return -1;
            }
        }

        /** CPU time of this client JVM so far, ms. */
        static double clientCpu() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e6;
        }

        private static double pct(List<Long> sorted, double p) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
        }
    }

    /**
     * All the streams read by one thread with one selector (plain sockets, the HTTP request written by hand):
     * per stream a read and a search of the bytes read, nothing else, so that the client's own cost per stream
     * is as low as it gets; each stream's arrival time of the awaited change is taken by that thread when the
     * read returns it.
     */
    static final class NioReader {
        final Bench bench;
        final java.nio.channels.Selector selector;
        final String host;
        final int port;
        int streams;
        final List<Conn> conns = new ArrayList<>();
        volatile byte[] marker = new byte[] {0};
        volatile int generation;
        long[] arrivals = new long[0];
        final AtomicInteger arrived = new AtomicInteger();
        /** h2c streams answered with anything but 200. */
        final AtomicInteger refused = new AtomicInteger();
        volatile long firstArrival;
        volatile long lastArrival;
        volatile long threadId;
        final java.util.concurrent.ConcurrentLinkedQueue<Runnable> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();

        static final class Conn {
            final java.nio.channels.SocketChannel ch;
            byte[] carry = new byte[0];
            boolean started;
            int seen = -1;
            /** h2c: the streams on this connection (stream id 2i + 1 is stream i), and the bytes of a frame not read whole yet. */
            final int h2Streams;
            boolean[] h2Started;
            boolean[] h2Ended;
            int[] h2Seen;
            byte[] pending = new byte[0];
            Conn(java.nio.channels.SocketChannel ch, int h2Streams) {
                this.ch = ch;
                this.h2Streams = h2Streams;
                if (h2Streams > 0) {
                    h2Started = new boolean[h2Streams];
                    h2Ended = new boolean[h2Streams];
                    h2Seen = new int[h2Streams];
                    java.util.Arrays.fill(h2Seen, -1);
                }
            }
        }

        /** h2c: streams per connection (0: HTTP/1.1, one connection per stream). */
        final int perConnection;

        NioReader(Bench bench, String protocol, int perConnection) throws Exception {
            this.bench = bench;
            if (!protocol.equals("http11") && !protocol.equals("h2c")) throw new IllegalArgumentException("--protocol http11 or h2c");
            this.perConnection = protocol.equals("h2c") ? perConnection : 0;
            java.net.URI u = java.net.URI.create(bench.url);
            host = u.getHost();
            port = u.getPort();
            selector = java.nio.channels.Selector.open();
        }

        void open(int n) throws Exception {
            long t0 = System.nanoTime();
            byte[] request = ("GET /v1/segments/" + bench.segment + "/changes HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nAuthorization: Bearer " + bench.key + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            AtomicInteger started = new AtomicInteger();
            Thread t = new Thread(() -> loop(n, perConnection > 0 ? null : request, started), "nio-reader");
            t.setDaemon(true);
            t.start();
            while (started.get() + bench.ended.get() < n && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5)) Thread.sleep(100);
            streams = started.get();
            System.out.printf("streams: %d of %d connected in %.1f s (one selector thread reads them all%s)%n", streams, n, (System.nanoTime() - t0) / 1e9,
                    perConnection > 0 ? ", over h2c, " + perConnection + " streams per connection" : "");
        }

        /** Makes the next change with this marker the one awaited; counts arrivals from here. */
        void expect(String m, int live) {
            CountDownLatch done = new CountDownLatch(1);
            tasks.add(() -> {
                marker = m.getBytes(StandardCharsets.UTF_8);
                generation++;
                arrivals = new long[live];
                arrived.set(0);
                firstArrival = 0;
                lastArrival = 0;
                done.countDown();
            });
            selector.wakeup();
            try {
                done.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        long arrivalPct(double p) {
            long[] a = java.util.Arrays.copyOf(arrivals, arrived.get());
            java.util.Arrays.sort(a);
            return a.length == 0 ? 0 : a[Math.min(a.length - 1, (int) Math.ceil(p * a.length) - 1)];
        }

        double cpuMs() {
            return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId) / 1e6;
        }

        private void loop(int n, byte[] request, AtomicInteger started) {
            threadId = Thread.currentThread().threadId();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(64 * 1024);
            byte[] bytes = new byte[64 * 1024];
            int opened = 0;
            try {
                while (true) {
                    // At most 200 handshakes at a time (a burst of 10,000 SYNs overflows the accept backlog).
                    while (opened < n && opened - started.get() < 200) {
                        var ch = java.nio.channels.SocketChannel.open(new java.net.InetSocketAddress(host, port));
                        int k = perConnection > 0 ? Math.min(perConnection, n - opened) : 0;
                        ch.write(java.nio.ByteBuffer.wrap(k > 0 ? H2.open(k, host + ":" + port, "/v1/segments/" + bench.segment + "/changes", bench.key) : request));
                        ch.configureBlocking(false);
                        Conn c = new Conn(ch, k);
                        ch.register(selector, java.nio.channels.SelectionKey.OP_READ, c);
                        conns.add(c);
                        opened += Math.max(k, 1);
                    }
                    Runnable task;
                    while ((task = tasks.poll()) != null) task.run();
                    selector.select(10);
                    var keys = selector.selectedKeys();
                    for (var key : keys) {
                        Conn c = (Conn) key.attachment();
                        long now = System.nanoTime();
                        int read;
                        while ((read = c.ch.read(buf.clear())) > 0) {
                            buf.flip().get(bytes, 0, read);
                            if (c.h2Streams > 0) {
                                frames(c, bytes, read, now, started);
                                continue;
                            }
                            if (!c.started) {
                                c.started = true;
                                started.incrementAndGet();
                            }
                            scan(c, bytes, read, now);
                        }
                        if (read < 0) {
                            key.cancel();
                            c.ch.close();
                            if (c.h2Streams == 0) bench.ended.incrementAndGet();
                            else for (int i = 0; i < c.h2Streams; i++) h2End(c, i);
                        }
                    }
                    keys.clear();
                }
            } catch (Exception e) {
                System.out.println("reader failed: " + e);
            }
        }

        /** h2c: the complete frames of what was read (with what was left of the last read), each handled. */
        private void frames(Conn c, byte[] b, int len, long now, AtomicInteger started) throws java.io.IOException {
            int size = c.pending.length + len;
            byte[] in = joined(c.pending, b, len);
            int at = 0;
            while (size - at >= 9) {
                int length = (in[at] & 0xff) << 16 | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff);
                if (size - at < 9 + length) break;
                int type = in[at + 3] & 0xff;
                int flags = in[at + 4] & 0xff;
                int sid = ((in[at + 5] & 0x7f) << 24) | (in[at + 6] & 0xff) << 16 | (in[at + 7] & 0xff) << 8 | (in[at + 8] & 0xff);
                int payload = at + 9;
                int i = sid > 0 ? (sid - 1) / 2 : -1;
                boolean mine = i >= 0 && i < c.h2Streams;
                switch (type) {
                    case H2.DATA -> {
                        if (mine && !c.h2Ended[i]) {
                            if (!c.h2Started[i]) {
                                c.h2Started[i] = true;
                                started.incrementAndGet();
                            }
                            int gen = generation;
                            if (c.h2Seen[i] != gen && contains(in, payload, payload + length, marker)) {
                                c.h2Seen[i] = gen;
                                arrive(now);
                            }
                            if ((flags & H2.END_STREAM) != 0) h2End(c, i);
                        }
                    }
                    case H2.HEADERS -> {
                        if (mine && !c.h2Ended[i] && !H2.ok(in, payload, length, flags)) {
                            // Not a 200 (or its :status not first): the stream will carry no change.
                            if (refused.getAndIncrement() == 0) System.out.println("reader: a stream was not answered 200");
                            h2End(c, i);
                        } else if (mine && (flags & H2.END_STREAM) != 0) {
                            h2End(c, i);
                        }
                    }
                    case H2.RST_STREAM -> {
                        if (mine) h2End(c, i);
                    }
                    case H2.SETTINGS -> {
                        if ((flags & H2.ACK) == 0) write(c, H2.frame(H2.SETTINGS, H2.ACK, 0, new byte[0]));
                    }
                    case H2.PING -> {
                        if ((flags & H2.ACK) == 0) write(c, H2.frame(H2.PING, H2.ACK, 0, java.util.Arrays.copyOfRange(in, payload, payload + length)));
                    }
                    case H2.GOAWAY -> System.out.println("reader: GOAWAY from the service on one connection");
                    default -> { }
                }
                at += 9 + length;
            }
            c.pending = at == size ? new byte[0] : java.util.Arrays.copyOfRange(in, at, size);
        }

        private void h2End(Conn c, int i) {
            if (c.h2Ended[i]) return;
            c.h2Ended[i] = true;
            bench.ended.incrementAndGet();
        }

        private static void write(Conn c, byte[] frame) throws java.io.IOException {
            java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(frame);
            while (out.hasRemaining()) c.ch.write(out);
        }

        /** {@code head} and then the first {@code len} bytes of {@code b}; {@code b} itself when there is no head. */
        private static byte[] joined(byte[] head, byte[] b, int len) {
            if (head.length == 0) return b;
            byte[] out = new byte[head.length + len];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(b, 0, out, head.length, len);
            return out;
        }

        private static boolean contains(byte[] text, int from, int to, byte[] m) {
            outer:
            for (int i = from; i + m.length <= to; i++) {
                for (int j = 0; j < m.length; j++) if (text[i + j] != m[j]) continue outer;
                return true;
            }
            return false;
        }

        /** One stream got the awaited change now. */
        private void arrive(long now) {
            int k = arrived.getAndIncrement();
            if (k < arrivals.length) arrivals[k] = now;
            if (k == 0) firstArrival = now;
            lastArrival = now;
            bench.reached.countDown();
        }

        private void scan(Conn c, byte[] b, int len, long now) {
            int gen = generation;
            if (c.seen == gen) return;
            byte[] m = marker;
            int size = c.carry.length + len;
            byte[] text = joined(c.carry, b, len);
            if (contains(text, 0, size, m)) {
                c.seen = gen;
                arrive(now);
                c.carry = new byte[0];
                return;
            }
            int keep = Math.min(size, m.length - 1);
            c.carry = java.util.Arrays.copyOfRange(text, size - keep, size);
        }
    }

    /**
     * The little of HTTP/2 (RFC 9113) the selector reader speaks over h2c by prior knowledge: the preface, its
     * settings (a stream window as large as allowed, and the connection's window raised to match, so that the
     * service is never held up by the reader's flow control), one GET per stream with the header block in
     * HPACK literals (RFC 7541, no Huffman, no dynamic table), and the frame types it answers or reads.
     */
    static final class H2 {
        static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8;
        static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;

        /**
         * Whether a response's header block starts with {@code :status 200} as the static table's entry 8 (RFC 7541
         * appendix A), the one way an HPACK encoder writes it first; the rest of the block is not decoded.
         */
        static boolean ok(byte[] in, int payload, int length, int flags) {
            int at = payload + ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
            return at < payload + length && (in[at] & 0xff) == 0x88;
        }
        static final int MAX_WINDOW = Integer.MAX_VALUE;

        /** The preface, settings, window update and {@code streams} GETs of {@code path} (stream ids 1, 3, 5, ...). */
        static byte[] open(int streams, String authority, String path, String key) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // SETTINGS_ENABLE_PUSH (2) = 0, SETTINGS_INITIAL_WINDOW_SIZE (4) = 2^31 - 1.
            out.writeBytes(frame(SETTINGS, 0, 0, new byte[] {0, 2, 0, 0, 0, 0, 0, 4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
            int increment = MAX_WINDOW - 65_535;
            out.writeBytes(frame(WINDOW_UPDATE, 0, 0, new byte[] {(byte) (increment >>> 24), (byte) (increment >>> 16), (byte) (increment >>> 8), (byte) increment}));
            java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
            block.write(0x82); // :method GET (static index 2)
            block.write(0x86); // :scheme http (static index 6)
            literal(block, 4, 1, authority); // :authority (static name 1)
            literal(block, 4, 4, path); // :path (static name 4)
            literal(block, 4, 23, "Bearer " + key); // authorization (static name 23)
            literal(block, 4, 19, "text/event-stream"); // accept (static name 19)
            byte[] headers = block.toByteArray();
            for (int i = 0; i < streams; i++) out.writeBytes(frame(HEADERS, END_HEADERS | END_STREAM, 2 * i + 1, headers));
            return out.toByteArray();
        }

        /** A literal header field without indexing, its name from the static table (RFC 7541 6.2.2). */
        private static void literal(java.io.ByteArrayOutputStream block, int prefixBits, int nameIndex, String value) {
            integer(block, 0x00, prefixBits, nameIndex);
            byte[] v = value.getBytes(StandardCharsets.US_ASCII);
            integer(block, 0x00, 7, v.length);
            block.writeBytes(v);
        }

        /** An HPACK integer with an N-bit prefix (RFC 7541 5.1). */
        private static void integer(java.io.ByteArrayOutputStream block, int firstBits, int prefixBits, int value) {
            int max = (1 << prefixBits) - 1;
            if (value < max) {
                block.write(firstBits | value);
                return;
            }
            block.write(firstBits | max);
            value -= max;
            while (value >= 128) {
                block.write((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            block.write(value);
        }

        static byte[] frame(int type, int flags, int streamId, byte[] payload) {
            byte[] f = new byte[9 + payload.length];
            f[0] = (byte) (payload.length >>> 16);
            f[1] = (byte) (payload.length >>> 8);
            f[2] = (byte) payload.length;
            f[3] = (byte) type;
            f[4] = (byte) flags;
            f[5] = (byte) (streamId >>> 24);
            f[6] = (byte) (streamId >>> 16);
            f[7] = (byte) (streamId >>> 8);
            f[8] = (byte) streamId;
            System.arraycopy(payload, 0, f, 9, payload.length);
            return f;
        }
    }
}

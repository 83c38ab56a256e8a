package io.segstream.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import redis.embedded.RedisServer;

/**
 * A Redis Cluster of {@code masters} masters (no replicas) on free loopback ports, each a
 * {@code redis-server} in cluster mode from the embedded-redis jar (the binary the embedded mode runs,
 * so a machine with only a JDK can run it; see {@link #binary()} for another), with its files in a
 * temporary folder. The cluster is
 * formed over plain client connections: every node meets the first, the 16,384 slots are split in
 * contiguous ranges, and {@link #start} returns once every node reports {@code cluster_state:ok} and
 * sees every master. {@link #close} stops the processes (SIGTERM, then SIGKILL) and deletes the folder.
 */
public final class RedisClusterProcess implements AutoCloseable {

    public static final int SLOTS = 16384;
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final RedisClient client = RedisClient.create();

    private RedisClusterProcess(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code masters} nodes and joins them into one cluster covering every slot. */
    public static RedisClusterProcess start(int masters) {
        RedisClusterProcess cluster;
        try {
            cluster = new RedisClusterProcess(Files.createTempDirectory("segstream-redis-cluster"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            cluster.launch(masters);
            cluster.join();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void launch(int masters) {
        try {
            String binary = binary();
            for (int i = 0; i < masters; i++) {
                int port = freePort();
                Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
                List<String> command = List.of(binary,
                        "--port", Integer.toString(port),
                        "--bind", "127.0.0.1",
                        "--dir", nodeDir.toString(),
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(),
                        "--cluster-node-timeout", "5000",
                        "--appendonly", "no",
                        "--save", "",
                        "--daemonize", "no");
                Process p = new ProcessBuilder(command).directory(new File(binary).getParentFile()).redirectErrorStream(true).start();
                processes.add(p);
                ports.add(port);
                CompletableFuture<Void> ready = new CompletableFuture<>();
                Thread.ofPlatform().daemon().name("redis-cluster-" + port).start(() -> drain(p, ready));
                ready.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("A Redis Cluster node did not start", e);
        }
    }

    /**
     * The {@code redis-server} to run: the one in the embedded-redis jar (Redis 6.2), or another named by
     * the system property {@code segstream.test.redis-server} or the environment variable
     * {@code SEGSTREAM_TEST_REDIS_SERVER} (for example a Redis 7 installed on the machine).
     */
    static String binary() throws IOException {
        String other = System.getProperty("segstream.test.redis-server", System.getenv("SEGSTREAM_TEST_REDIS_SERVER"));
        if (other != null && !other.isBlank()) return other;
        return RedisServer.newRedisServer().port(freePort()).buildCommandArgs().get(0);
    }

    private static void drain(Process process, CompletableFuture<Void> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (!ready.isDone() && line.toLowerCase(Locale.ROOT).contains("ready to accept connections")) ready.complete(null);
            }
        } catch (IOException ignored) {
            // the process ended
        }
        ready.completeExceptionally(new IllegalStateException("redis-server ended before it was ready"));
    }

    /** CLUSTER MEET from every node to the first, contiguous slot ranges, then waits for a healthy cluster. */
    private void join() {
        int n = ports.size();
        for (int i = 0; i < n; i++) {
            int from = i * SLOTS / n, to = (i + 1) * SLOTS / n;
            int node = i;
            on(ports.get(i), c -> {
                // CLUSTER ADDSLOTSRANGE needs Redis 7; the bundled server is 6.2.
                c.clusterAddSlots(IntStream.range(from, to).toArray());
                if (node > 0) c.clusterMeet("127.0.0.1", ports.get(0));
            });
        }
        Awaitility.await("the Redis Cluster forms").atMost(STARTUP).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> ports.stream().allMatch(p -> call(p, c -> c.clusterInfo().contains("cluster_state:ok")
                        && c.clusterNodes().lines().filter(l -> l.contains("master")).count() == n)));
    }

    /** The nodes as {@code host:port}, comma-separated ({@code spring.data.redis.cluster.nodes}). */
    public String nodes() {
        return ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** Runs {@code work} on a plain (non-cluster) connection to the node on {@code port}. */
    public void on(int port, Consumer<RedisCommands<String, String>> work) {
        call(port, c -> {
            work.accept(c);
            return null;
        });
    }

    /** Runs {@code work} on a plain (non-cluster) connection to the node on {@code port} and returns its result. */
    public <T> T call(int port, java.util.function.Function<RedisCommands<String, String>, T> work) {
        try (StatefulRedisConnection<String, String> c = client.connect(RedisURI.create("127.0.0.1", port))) {
            return work.apply(c.sync());
        }
    }

    @Override
    public void close() {
        for (Process p : processes) p.destroy();
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

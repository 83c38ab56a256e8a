package io.segstream.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an embedded server process left running by a previous run of segstream that was killed
 * (SIGKILL leaves {@code postgres} and {@code redis-server} running as orphans, still owning the data
 * folder). The process is found through the pid file the server keeps in its data folder and is ended
 * only if its command is the expected server binary, so a recycled pid is never touched.
 */
final class StaleServerProcess {

    private static final Logger log = LoggerFactory.getLogger(StaleServerProcess.class);

    private StaleServerProcess() {}

    /**
     * Stops the process named by the first line of {@code pidFile} if it is alive and its command
     * contains {@code commandMarker}; then removes the pid file. Runs at startup, off any Reactor thread.
     */
    static void stopIfRunning(Path pidFile, String commandMarker, Duration gracePeriod) {
        Optional<ProcessHandle> process = readPid(pidFile).flatMap(ProcessHandle::of);
        if (process.isPresent() && process.get().isAlive() && isServer(process.get(), commandMarker)) {
            ProcessHandle p = process.get();
            log.warn("Found {} (pid {}) left running by a previous run; stopping it", commandMarker, p.pid());
            p.destroy();
            if (!waitForExit(p, gracePeriod)) {
                log.warn("{} (pid {}) did not stop within {}; killing it", commandMarker, p.pid(), gracePeriod);
                p.destroyForcibly();
                waitForExit(p, gracePeriod);
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot remove stale pid file " + pidFile, e);
        }
    }

    private static boolean isServer(ProcessHandle p, String commandMarker) {
        return p.info().command().map(c -> c.contains(commandMarker)).orElse(false);
    }

    private static boolean waitForExit(ProcessHandle p, Duration timeout) {
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        if (!Files.isRegularFile(pidFile)) return Optional.empty();
        try {
            String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream()
                    .findFirst()
                    .orElse("")
                    .trim();
            return Optional.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}

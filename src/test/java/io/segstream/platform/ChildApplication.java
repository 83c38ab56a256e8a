package io.segstream.platform;

import io.segstream.SegstreamApplication;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that runs the application in a JVM of its own (tests that signal or kill it). */
final class ChildApplication {

    private ChildApplication() {}

    /** This JVM's java and class path, the test profile, the port, the data folder, the dev key, then {@code extra}. */
    static List<String> command(int port, Path data, String devKey, String... extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SegstreamApplication.class.getName());
        cmd.add("--spring.profiles.active=test");
        cmd.add("--server.port=" + port);
        cmd.add("--segstream.data-dir=" + data);
        cmd.add("--segstream.dev-key=" + devKey);
        cmd.addAll(List.of(extra));
        return cmd;
    }
}

package io.segstream.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless chromium driven through its own chromedriver. Selenium Manager is never asked to
 * find or download a browser: both paths are given. Without them, browser tests are skipped on a
 * developer's machine and fail in CI (environment {@code CI} set), where {@code .ci/run} installs them.
 */
final class Chromium {

    static final Path BROWSER = Path.of(System.getProperty("segstream.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("segstream.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {}

    /**
     * Runs the class's tests only where chromium and its driver are installed, deciding before the
     * application starts. Missing under CI (environment {@code CI} set, not "false"): the class fails.
     */
    static final class Installed implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
                return ConditionEvaluationResult.enabled("chromium and chromedriver found");
            }
            String message = "The dashboard's browser tests need " + BROWSER + " and " + DRIVER
                    + " (Debian: apt-get install chromium chromium-driver)";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) throw new IllegalStateException(message);
            System.err.println(message + "; skipped");
            return ConditionEvaluationResult.disabled(message + "; skipped");
        }
    }

    /** A fresh headless browser with a 1280x800 window and its own profile. */
    static ChromeDriver start() throws IOException {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        Path profile = Files.createTempDirectory("segstream-chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--user-data-dir=" + profile, "--no-first-run",
                "--disable-background-networking", "--disable-component-update");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver = new ChromeDriver(service, options);
        // The page's viewport, not the window, is 1280x800: screenshots show what a user of that screen sees.
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        return driver;
    }
}

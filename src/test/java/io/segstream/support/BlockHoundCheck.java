package io.segstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which BlockHound recorded a blocking call on a non-blocking thread (registered
 * for every test class by auto-detection, {@code junit-platform.properties}; does nothing unless BlockHound
 * is installed, see {@link BlockHoundInstaller}).
 */
public final class BlockHoundCheck implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        if (!BlockHoundInstaller.installed()) return;
        assertThat(BlockHoundInstaller.drain()).as("blocking calls on non-blocking threads").isEmpty();
    }
}

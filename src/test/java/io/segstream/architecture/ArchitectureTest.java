package io.segstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module rules of STYLE.md that the compiler does not check. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.segstream");
    }

    @Test
    void theRuleEngineIsPure() {
        noClasses().that().resideInAPackage("io.segstream.rules..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework..", "reactor..", "io.r2dbc..", "io.lettuce..", "io.netty..",
                        "io.segstream.contact..", "io.segstream.segment..", "io.segstream.membership..",
                        "io.segstream.ingest..", "io.segstream.changefeed..", "io.segstream.tenant..", "io.segstream.platform..")
                .because("the segment language must stay framework-free and testable with plain JUnit")
                .check(classes);
    }

    @Test
    void theRuleEngineNeverReadsAClock() {
        noClasses().that().resideInAPackage("io.segstream.rules..")
                .should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(java.time.Clock.class, "systemUTC")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .because("time is a parameter of evaluation")
                .check(classes);
    }

    @Test
    void nothingBlocksInMainCode() {
        noClasses().that().resideInAPackage("io.segstream..")
                .and().doNotHaveSimpleName("DevTenantBootstrap") // runs once on the main thread at startup
                .should().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(reactor.core.publisher.Mono.class, "block")
                .orShould().callMethod(reactor.core.publisher.Mono.class, "block", java.time.Duration.class)
                .orShould().callMethod(reactor.core.publisher.Flux.class, "blockLast")
                .orShould().callMethod(reactor.core.publisher.Flux.class, "blockFirst")
                .check(classes);
    }
}

package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Loads every manifest under {@code k8s/} and checks what a reviewer would: probes hit the
 * application's real health groups on its real port, every container has requests and limits, no image
 * floats on {@code latest}, and no PodDisruptionBudget can block a node drain.
 */
class KubernetesManifestsTest {

    private static final List<Map<String, Object>> docs = new ArrayList<>();
    private static Map<String, Object> applicationYaml;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("k8s"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    for (Object doc : new Yaml().loadAll(in)) {
                        if (doc instanceof Map<?, ?> m) {
                            Map<String, Object> d = new java.util.HashMap<>((Map<String, Object>) m);
                            d.put("__file", p.toString());
                            docs.add(d);
                        }
                    }
                }
            }
        }
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yml"))) {
            applicationYaml = new Yaml().load(in);
        }
    }

    @Test
    void everyManifestLoads() {
        assertThat(docs).extracting(d -> d.get("kind")).contains("Deployment", "Service", "ConfigMap",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "StatefulSet", "Cluster", "Pooler", "Kustomization");
        assertThat(docs.stream().filter(d -> "HorizontalPodAutoscaler".equals(d.get("kind"))))
                .allMatch(d -> d.get("apiVersion") == null || "autoscaling/v2".equals(d.get("apiVersion")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void probesMatchTheApplicationsHealthGroupsAndPort() {
        Map<String, Object> server = (Map<String, Object>) applicationYaml.get("server");
        String port = String.valueOf(server.get("port")).replaceAll(".*:(\\d+)}", "$1");
        Map<String, Object> health = (Map<String, Object>) get(applicationYaml, "management", "endpoint", "health");
        assertThat(get(health, "probes", "enabled")).isEqualTo(true);
        Map<String, Object> groups = (Map<String, Object>) health.get("group");
        assertThat(groups).containsKeys("liveness", "readiness");

        Map<String, Object> container = segstreamContainer();
        List<Map<String, Object>> ports = (List<Map<String, Object>>) container.get("ports");
        assertThat(ports).anySatisfy(p -> {
            assertThat(p.get("name")).isEqualTo("http");
            assertThat(String.valueOf(p.get("containerPort"))).isEqualTo(port);
        });
        assertThat(get(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(get(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(get(container, "livenessProbe", "httpGet", "port")).isEqualTo("http");
        assertThat(get(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyContainerHasRequestsAndLimitsAndAPinnedImage() {
        int containers = 0;
        for (Map<String, Object> d : docs) {
            for (Map<String, Object> c : containers(d)) {
                containers++;
                String where = d.get("__file") + " " + c.get("name");
                if (c.containsKey("image")) {
                    String image = (String) c.get("image");
                    assertThat(image).as(where).contains(":").doesNotEndWith(":latest");
                }
                boolean patch = !c.containsKey("image");
                if (!patch || c.containsKey("resources")) {
                    Map<String, Object> resources = (Map<String, Object>) c.get("resources");
                    assertThat(resources).as(where + " resources").isNotNull();
                    assertThat((Map<String, Object>) resources.get("requests")).as(where).containsKeys("cpu", "memory");
                    assertThat((Map<String, Object>) resources.get("limits")).as(where).containsKeys("cpu", "memory");
                }
            }
        }
        assertThat(containers).isGreaterThanOrEqualTo(4);
    }

    @Test
    @SuppressWarnings("unchecked")
    void noDisruptionBudgetCanBlockADrain() {
        List<Map<String, Object>> pdbs = docs.stream().filter(d -> "PodDisruptionBudget".equals(d.get("kind"))).toList();
        assertThat(pdbs).isNotEmpty();
        for (Map<String, Object> pdb : pdbs) {
            Map<String, Object> spec = (Map<String, Object>) pdb.get("spec");
            assertThat(spec).as("use maxUnavailable: minAvailable can equal the replica count").doesNotContainKey("minAvailable");
            assertThat(Integer.parseInt(String.valueOf(spec.get("maxUnavailable")))).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void productionRunsAtLeastThreeReplicasAndTheContainerIsLockedDown() {
        Map<String, Object> hpa = docs.stream().filter(d -> "HorizontalPodAutoscaler".equals(d.get("kind"))
                && String.valueOf(d.get("__file")).contains("production")).findFirst().orElseThrow();
        assertThat((Integer) get(hpa, "spec", "minReplicas")).isGreaterThanOrEqualTo(3);
        Map<String, Object> deployment = baseDeployment();
        assertThat(get(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot")).isEqualTo(true);
        Map<String, Object> container = segstreamContainer();
        assertThat(get(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(get(container, "lifecycle", "preStop")).isNotNull();
    }

    private static Map<String, Object> baseDeployment() {
        return docs.stream().filter(d -> "Deployment".equals(d.get("kind")) && String.valueOf(d.get("__file")).contains("base"))
                .findFirst().orElseThrow();
    }

    private static Map<String, Object> segstreamContainer() {
        return containers(baseDeployment()).stream().filter(c -> "segstream".equals(c.get("name"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> containers(Map<String, Object> doc) {
        Object list = get(doc, "spec", "template", "spec", "containers");
        return list instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Object get(Map<String, Object> map, String... path) {
        Object at = map;
        for (String p : path) {
            if (!(at instanceof Map<?, ?> m)) return null;
            at = ((Map<String, Object>) m).get(p);
        }
        return at;
    }
}

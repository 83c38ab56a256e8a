package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks the Kubernetes manifests under {@code k8s/} twice: as sources (probes hit the application's
 * real health groups on its real port, every container has requests and limits, no image floats on
 * {@code latest}, no PodDisruptionBudget can block a node drain) and as what an operator applies: both
 * overlays are built with {@code kubectl kustomize} from a copy whose secret files come from the
 * checked-in {@code *.example} files, and the output is checked for a well-formed schema, its namespace,
 * secrets that exist, the image jib builds, the production Redis Cluster and its forming Job, the
 * CloudNativePG backups and WAL volume, and a connection pool that carries every replica.
 *
 * <p>Building needs {@code kubectl} (or a standalone {@code kustomize}) on the PATH, in {@code KUBECTL},
 * or in {@code /usr/bin} or {@code /usr/local/bin}. Without one the built-output tests are skipped,
 * except where the environment variable {@code CI} is set: there they fail.
 */
class KubernetesManifestsTest {

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");
    private static final Pattern API_VERSION = Pattern.compile("([a-z0-9.-]+/)?v\\d+((alpha|beta)\\d+)?");
    /** Every kind the overlays may contain, with its API version; a new kind is added here on purpose. */
    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("Namespace", "v1"), Map.entry("ConfigMap", "v1"), Map.entry("Secret", "v1"),
            Map.entry("Service", "v1"), Map.entry("Deployment", "apps/v1"), Map.entry("StatefulSet", "apps/v1"),
            Map.entry("Job", "batch/v1"), Map.entry("PodDisruptionBudget", "policy/v1"),
            Map.entry("HorizontalPodAutoscaler", "autoscaling/v2"),
            Map.entry("NetworkPolicy", "networking.k8s.io/v1"), Map.entry("Cluster", "postgresql.cnpg.io/v1"),
            Map.entry("Pooler", "postgresql.cnpg.io/v1"), Map.entry("ScheduledBackup", "postgresql.cnpg.io/v1"),
            Map.entry("ObjectStore", "barmancloud.cnpg.io/v1"));
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "Job", "DaemonSet");
    private static final List<String> PROBES = List.of("startupProbe", "livenessProbe", "readinessProbe");
    private static final List<String> PROBE_HANDLERS = List.of("httpGet", "tcpSocket", "exec", "grpc");
    private static final String BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

    private static final List<Map<String, Object>> docs = new ArrayList<>();
    private static final Map<String, List<Map<String, Object>>> built = new HashMap<>();
    private static Map<String, Object> applicationYaml;
    private static String kustomize;

    @TempDir
    static Path work;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("k8s"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    for (Object doc : new Yaml().loadAll(in)) {
                        if (doc instanceof Map<?, ?> m) {
                            Map<String, Object> d = new HashMap<>((Map<String, Object>) m);
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
        kustomize = findKustomize();
    }

    // ---------------------------------------------------------------- sources

    @Test
    void everyManifestLoads() {
        assertThat(docs).extracting(d -> d.get("kind")).contains("Deployment", "Service", "ConfigMap",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "StatefulSet", "Cluster", "Pooler", "ScheduledBackup",
                "ObjectStore", "Job", "Namespace", "Kustomization");
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
        assertThat(containers).isGreaterThanOrEqualTo(6);
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
    void everySecretFileHasACheckedInExampleAndIsIgnoredByGit() throws IOException {
        for (String overlay : List.of("dev", "production")) {
            List<String> envFiles = secretGenerators(overlay).stream()
                    .flatMap(g -> strings(g.get("envs")).stream()).toList();
            assertThat(envFiles).as(overlay).isNotEmpty();
            for (String file : envFiles) {
                assertThat(Path.of("k8s/overlays", overlay, file + ".example")).as(overlay + " example of " + file).isRegularFile();
            }
        }
        String ignore = Files.readString(Path.of("k8s/.gitignore"));
        assertThat(ignore).contains("overlays/*/secrets/*").contains("!overlays/*/secrets/*.example");
    }

    // ---------------------------------------------------------------- what kustomize builds

    @Test
    void bothOverlaysBuild() {
        for (String overlay : List.of("dev", "production")) {
            assertThat(built(overlay)).as(overlay).extracting(d -> d.get("kind")).contains("Namespace", "Deployment", "Secret");
        }
    }

    @Test
    void everyObjectHasAKnownKindAnApiVersionAndAName() {
        for (String overlay : List.of("dev", "production")) {
            Set<String> seen = new HashSet<>();
            for (Map<String, Object> d : built(overlay)) {
                String kind = (String) d.get("kind");
                String name = (String) get(d, "metadata", "name");
                String where = overlay + " " + kind + "/" + name;
                assertThat(kind).as(where).isNotNull().matches("[A-Z][A-Za-z]+");
                assertThat((String) d.get("apiVersion")).as(where).isNotNull().matches(API_VERSION);
                assertThat(KINDS).as(where + ": a kind these manifests do not expect").containsEntry(kind, (String) d.get("apiVersion"));
                assertThat(name).as(where).isNotNull().matches(DNS_SUBDOMAIN);
                if (!List.of("Namespace", "Secret", "ConfigMap").contains(kind)) {
                    assertThat(d.get("spec")).as(where + " spec").isInstanceOf(Map.class);
                }
                assertThat(seen.add(kind + "/" + get(d, "metadata", "namespace") + "/" + name)).as(where + " is unique").isTrue();
                checkStringMaps(where, d);
            }
        }
    }

    @Test
    void eachOverlayHasItsNamespaceAndEveryObjectLivesInIt() {
        Set<String> namespaces = new HashSet<>();
        for (String overlay : List.of("dev", "production")) {
            List<Map<String, Object>> ns = ofKind(overlay, "Namespace");
            assertThat(ns).as(overlay).hasSize(1);
            String namespace = name(ns.getFirst());
            namespaces.add(namespace);
            assertThat(get(ns.getFirst(), "metadata", "labels", "pod-security.kubernetes.io/enforce")).as(overlay).isNotNull();
            for (Map<String, Object> d : built(overlay)) {
                if (!"Namespace".equals(d.get("kind"))) {
                    assertThat(get(d, "metadata", "namespace")).as(overlay + " " + d.get("kind") + "/" + name(d)).isEqualTo(namespace);
                }
            }
        }
        assertThat(namespaces).as("dev and production apart").hasSize(2);
    }

    @Test
    void everySecretReferenceNamesAGeneratedSecretAndKey() throws IOException {
        String doc = Files.readString(Path.of("docs/kubernetes.md"));
        for (String overlay : List.of("dev", "production")) {
            Map<String, Set<String>> secrets = new HashMap<>();
            for (Map<String, Object> s : ofKind(overlay, "Secret")) {
                Map<String, Object> data = map(s.get("data"));
                secrets.put(name(s), data.keySet());
                assertThat(doc).as("docs/kubernetes.md documents " + name(s)).contains(baseName(s));
            }
            List<String[]> refs = new ArrayList<>();
            for (Map<String, Object> d : built(overlay)) {
                collectSecretRefs(d, null, refs);
            }
            assertThat(refs).as(overlay).hasSizeGreaterThanOrEqualTo(4);
            for (String[] ref : refs) {
                assertThat(secrets).as(overlay + " secret " + ref[0]).containsKey(ref[0]);
                if (ref[1] != null) {
                    assertThat(secrets.get(ref[0])).as(overlay + " key " + ref[1] + " of " + ref[0]).contains(ref[1]);
                }
            }
            Map<String, Object> owner = ofKind(overlay, "Secret").stream().filter(s -> name(s).equals("segstream-db-owner"))
                    .findFirst().orElseThrow();
            assertThat(owner.get("type")).as(overlay).isEqualTo("kubernetes.io/basic-auth");
            assertThat(map(owner.get("data"))).as(overlay).containsOnlyKeys("username", "password");
            assertThat(map(ofKind(overlay, "Secret").stream().filter(s -> baseName(s).equals("segstream-secrets"))
                    .findFirst().orElseThrow().get("data"))).containsOnlyKeys("admin-key", "stream-token-secret");
            Map<String, String> env = segstreamEnv(overlay);
            assertThat(env).containsKeys("SEGSTREAM_ADMIN_KEY", "SEGSTREAM_STREAM_TOKEN_SECRET", "SPRING_R2DBC_USERNAME",
                    "SPRING_R2DBC_PASSWORD");
        }
        Map<String, Object> cluster = single("production", "Cluster");
        assertThat(get(cluster, "spec", "bootstrap", "initdb", "secret", "name")).isEqualTo("segstream-db-owner");
        String exampleUser = Files.readAllLines(Path.of("k8s/overlays/production/secrets/db-owner.env.example")).stream()
                .filter(l -> l.startsWith("username=")).findFirst().orElseThrow().substring("username=".length());
        assertThat(get(cluster, "spec", "bootstrap", "initdb", "owner")).isEqualTo(exampleUser);
    }

    @Test
    void theImageIsTheOneJibBuilds() throws Exception {
        String jibImage = jibImage();
        assertThat(jibImage).startsWith("segstream/segstream:");
        for (String overlay : List.of("dev", "production")) {
            Map<String, Object> container = containers(single(overlay, "Deployment")).stream()
                    .filter(c -> "segstream".equals(c.get("name"))).findFirst().orElseThrow();
            assertThat(container.get("image")).as(overlay).isEqualTo(jibImage);
        }
    }

    @Test
    void devRunsOneReplicaAndNoAutoscalerContradictsIt() {
        Map<String, Object> deployment = single("dev", "Deployment");
        int replicas = (Integer) get(deployment, "spec", "replicas");
        assertThat(replicas).isEqualTo(1);
        for (Map<String, Object> hpa : ofKind("dev", "HorizontalPodAutoscaler")) {
            assertThat((Integer) get(hpa, "spec", "minReplicas")).as("dev HPA").isLessThanOrEqualTo(replicas);
        }
    }

    @Test
    void productionIsScaledByItsAutoscalerFromThreeReplicasAndTheContainerIsLockedDown() {
        Map<String, Object> hpa = single("production", "HorizontalPodAutoscaler");
        Map<String, Object> deployment = single("production", "Deployment");
        assertThat((Integer) get(hpa, "spec", "minReplicas")).isGreaterThanOrEqualTo(3);
        assertThat(get(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(name(deployment));
        assertThat(map(deployment.get("spec"))).as("the HPA owns the replica count").doesNotContainKey("replicas");
        assertThat(get(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot")).isEqualTo(true);
        Map<String, Object> container = containers(deployment).getFirst();
        assertThat(get(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(get(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(get(container, "lifecycle", "preStop")).isNotNull();
    }

    @Test
    void productionRedisClusterIsSixNodesFormedByItsJob() {
        Map<String, Object> sts = ofKind("production", "StatefulSet").stream()
                .filter(s -> name(s).equals("redis-cluster")).findFirst().orElseThrow();
        int replicas = (Integer) get(sts, "spec", "replicas");
        assertThat(replicas).isEqualTo(6);
        String service = (String) get(sts, "spec", "serviceName");
        Map<String, Object> headless = ofKind("production", "Service").stream().filter(s -> name(s).equals(service))
                .findFirst().orElseThrow();
        assertThat(get(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(get(headless, "spec", "selector")).isEqualTo(get(sts, "spec", "selector", "matchLabels"));

        Map<String, String> config = configMapOf("production", sts);
        String redisConf = config.get("redis.conf");
        assertThat(redisConf).contains("cluster-enabled yes").contains("maxmemory-policy noeviction").contains("appendonly yes");
        assertThat(redisConf).containsPattern("(?m)^maxmemory \\d+");

        Map<String, Object> job = single("production", "Job");
        String script = String.join(" ", strings(get(containers(job).getFirst(), "command")));
        for (Map.Entry<String, String> e : configMapOf("production", job).entrySet()) {
            if (script.contains(e.getKey())) script = script + "\n" + e.getValue();
        }
        assertThat(script).contains("redis-cli --cluster create").contains("--cluster-replicas 1");
        for (int i = 0; i < replicas; i++) {
            assertThat(script).as("the Job waits for every node").contains(name(sts) + "-" + i);
        }
        assertThat(script).contains("." + service);

        List<String> nodes = List.of(segstreamEnv("production").get("SPRING_DATA_REDIS_CLUSTER_NODES").split(","));
        assertThat(nodes).hasSize(replicas);
        Set<Integer> ordinals = new HashSet<>();
        Pattern node = Pattern.compile(Pattern.quote(name(sts)) + "-(\\d+)\\." + Pattern.quote(service) + ":6379");
        for (String n : nodes) {
            Matcher m = node.matcher(n);
            assertThat(m.matches()).as(n).isTrue();
            ordinals.add(Integer.parseInt(m.group(1)));
        }
        assertThat(ordinals).hasSize(replicas).allMatch(o -> o < replicas);
        assertThat(segstreamEnv("production")).doesNotContainKey("SPRING_DATA_REDIS_URL");
    }

    @Test
    void productionDatabaseHasAWalVolumeAndScheduledBackups() {
        Map<String, Object> cluster = single("production", "Cluster");
        assertThat(get(cluster, "spec", "walStorage", "size")).as("walStorage").isNotNull();
        assertThat(get(cluster, "spec", "storage", "size")).isNotNull();
        assertThat((Integer) get(cluster, "spec", "instances")).isGreaterThanOrEqualTo(2);

        Map<String, Object> store;
        Object inTree = get(cluster, "spec", "backup", "barmanObjectStore");
        String method;
        if (inTree != null) {
            store = map(inTree);
            method = "barmanObjectStore";
        } else {
            Map<String, Object> plugin = maps(get(cluster, "spec", "plugins")).stream()
                    .filter(p -> BARMAN_PLUGIN.equals(p.get("name"))).findFirst().orElseThrow();
            assertThat(plugin.get("isWALArchiver")).isEqualTo(true);
            String objectStore = (String) get(plugin, "parameters", "barmanObjectName");
            Map<String, Object> objectStoreDoc = ofKind("production", "ObjectStore").stream()
                    .filter(o -> name(o).equals(objectStore)).findFirst().orElseThrow();
            assertThat(get(objectStoreDoc, "spec", "retentionPolicy")).as("retention").isNotNull();
            store = map(get(objectStoreDoc, "spec", "configuration"));
            method = "plugin";
        }
        assertThat((String) store.get("destinationPath")).matches("(s3|gs|https)://.+");
        assertThat(store).containsKey("s3Credentials");

        Map<String, Object> scheduled = single("production", "ScheduledBackup");
        assertThat(get(scheduled, "spec", "cluster", "name")).isEqualTo(name(cluster));
        assertThat(((String) get(scheduled, "spec", "schedule")).trim().split("\\s+")).as("six cron fields, seconds first").hasSize(6);
        assertThat(get(scheduled, "spec", "method")).isEqualTo(method);
        if (method.equals("plugin")) {
            assertThat(get(scheduled, "spec", "pluginConfiguration", "name")).isEqualTo(BARMAN_PLUGIN);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void poolerCarriesEveryReplicasConnectionsWithinMaxConnections() {
        int pool = Integer.parseInt(String.valueOf(
                map(single("production", "ConfigMap", "segstream-config").get("data")).get("SPRING_R2DBC_POOL_MAXSIZE")));
        assertThat(get(applicationYaml, "spring", "r2dbc", "pool", "max-size")).as("application.yml agrees").isEqualTo(pool);
        Map<String, Object> deployment = single("production", "Deployment");
        int maxReplicas = (Integer) get(single("production", "HorizontalPodAutoscaler"), "spec", "maxReplicas");
        int surge = (Integer) get(deployment, "spec", "strategy", "rollingUpdate", "maxSurge");
        int clients = (maxReplicas + surge) * pool;

        Map<String, Object> pooler = single("production", "Pooler");
        Map<String, Object> cluster = single("production", "Cluster");
        assertThat(get(pooler, "spec", "cluster", "name")).isEqualTo(name(cluster));
        assertThat(get(pooler, "spec", "type")).isEqualTo("rw");
        assertThat(get(pooler, "spec", "pgbouncer", "poolMode")).as("one server connection per client").isEqualTo("session");
        int instances = (Integer) get(pooler, "spec", "instances");
        Map<String, Object> params = (Map<String, Object>) get(pooler, "spec", "pgbouncer", "parameters");
        int poolSize = Integer.parseInt(String.valueOf(params.get("default_pool_size")));
        int maxClientConn = Integer.parseInt(String.valueOf(params.get("max_client_conn")));
        int maxConnections = Integer.parseInt(String.valueOf(get(cluster, "spec", "postgresql", "parameters", "max_connections")));

        assertThat(poolSize * instances).as("pool x instances >= (maxReplicas + maxSurge) x r2dbc pool").isGreaterThanOrEqualTo(clients);
        assertThat(poolSize * (instances - 1)).as("the rest carry every client while one PgBouncer is down")
                .isGreaterThanOrEqualTo(clients);
        assertThat(maxClientConn).as("one PgBouncer takes every client connection").isGreaterThanOrEqualTo(clients);
        int superuserReserved = 3;
        int flyway = maxReplicas + surge;
        assertThat(maxConnections).as("max_connections holds every PgBouncer's pool, Flyway and the reserved slots")
                .isGreaterThanOrEqualTo(poolSize * instances + flyway + superuserReserved);

        Map<String, String> env = segstreamEnv("production");
        assertThat(env.get("SPRING_R2DBC_URL")).startsWith("r2dbc:postgresql://" + name(pooler) + ":");
        assertThat(env.get("SPRING_FLYWAY_URL")).startsWith("jdbc:postgresql://" + name(cluster) + "-rw:");
    }

    @Test
    void containerPortsProbesEnvAndVolumesAreWellFormed() {
        int checked = 0;
        for (String overlay : List.of("dev", "production")) {
            for (Map<String, Object> d : built(overlay)) {
                Map<String, Object> pod = podSpec(d);
                if (pod == null) continue;
                checked++;
                Set<String> volumes = new HashSet<>();
                for (Map<String, Object> v : maps(pod.get("volumes"))) volumes.add((String) v.get("name"));
                for (Map<String, Object> pvc : maps(get(d, "spec", "volumeClaimTemplates"))) {
                    volumes.add((String) get(pvc, "metadata", "name"));
                }
                Set<String> containerNames = new HashSet<>();
                for (Map<String, Object> c : containers(d)) {
                    String where = overlay + " " + d.get("kind") + "/" + name(d) + " " + c.get("name");
                    assertThat((String) c.get("name")).as(where).matches(DNS_LABEL);
                    assertThat(containerNames.add((String) c.get("name"))).as(where + " unique").isTrue();
                    assertThat((String) c.get("image")).as(where).isNotBlank().doesNotEndWith(":latest").contains(":");
                    Set<String> portNames = checkPorts(where, c);
                    for (String probe : PROBES) {
                        if (c.containsKey(probe)) checkProbe(where + " " + probe, map(c.get(probe)), portNames);
                    }
                    for (Map<String, Object> e : maps(c.get("env"))) {
                        assertThat((String) e.get("name")).as(where).matches("[A-Za-z_][A-Za-z0-9_]*");
                        assertThat(e.containsKey("value") ^ e.containsKey("valueFrom")).as(where + " " + e.get("name")).isTrue();
                        if (e.containsKey("value")) assertThat(e.get("value")).as(where + " " + e.get("name")).isInstanceOf(String.class);
                    }
                    for (Map<String, Object> m : maps(c.get("volumeMounts"))) {
                        assertThat(volumes).as(where + " mount " + m.get("name")).contains((String) m.get("name"));
                        assertThat((String) m.get("mountPath")).as(where).startsWith("/");
                    }
                    assertThat(map(get(c, "resources", "requests"))).as(where).containsKeys("cpu", "memory");
                    assertThat(map(get(c, "resources", "limits"))).as(where).containsKeys("cpu", "memory");
                }
                Object selector = get(d, "spec", "selector", "matchLabels");
                if (selector != null) {
                    assertThat(map(get(d, "spec", "template", "metadata", "labels"))).as(overlay + " " + name(d) + " selector")
                            .containsAllEntriesOf(map(selector));
                }
            }
        }
        assertThat(checked).as("workloads: dev segstream, postgres, redis; production segstream, redis-cluster, its Job")
                .isEqualTo(6);
    }

    @Test
    void everyPodMeetsTheRestrictedPodSecurityStandard() {
        for (String overlay : List.of("dev", "production")) {
            for (Map<String, Object> d : built(overlay)) {
                Map<String, Object> pod = podSpec(d);
                if (pod == null) continue;
                String where = overlay + " " + d.get("kind") + "/" + name(d);
                assertThat(pod).as(where).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
                for (Map<String, Object> v : maps(pod.get("volumes"))) {
                    assertThat(v).as(where).doesNotContainKey("hostPath");
                }
                for (Map<String, Object> c : containers(d)) {
                    String at = where + " " + c.get("name");
                    assertThat(first(get(c, "securityContext", "runAsNonRoot"), get(pod, "securityContext", "runAsNonRoot")))
                            .as(at + " runAsNonRoot").isEqualTo(true);
                    assertThat(first(get(c, "securityContext", "seccompProfile", "type"), get(pod, "securityContext", "seccompProfile", "type")))
                            .as(at + " seccompProfile").isIn("RuntimeDefault", "Localhost");
                    assertThat(get(c, "securityContext", "allowPrivilegeEscalation")).as(at).isEqualTo(false);
                    assertThat(get(c, "securityContext", "privileged")).as(at).isNotEqualTo(true);
                    assertThat(strings(get(c, "securityContext", "capabilities", "drop"))).as(at).contains("ALL");
                    assertThat(strings(get(c, "securityContext", "capabilities", "add"))).as(at).isEmpty();
                }
            }
        }
    }

    // ---------------------------------------------------------------- checks

    /** Labels, annotations, ConfigMap data and every pod template's labels and annotations are string maps. */
    private static void checkStringMaps(String where, Map<String, Object> d) {
        List<Map<String, Object>> metadata = new ArrayList<>(List.of(map(d.get("metadata"))));
        if (get(d, "spec", "template", "metadata") != null) metadata.add(map(get(d, "spec", "template", "metadata")));
        for (Map<String, Object> m : metadata) {
            map(m.get("labels")).forEach((k, v) -> {
                assertThat(v).as(where + " label " + k).isInstanceOf(String.class);
                assertThat((String) v).as(where + " label " + k).matches(LABEL_VALUE);
            });
            map(m.get("annotations")).forEach((k, v) -> assertThat(v).as(where + " annotation " + k).isInstanceOf(String.class));
        }
        if ("ConfigMap".equals(d.get("kind"))) {
            map(d.get("data")).forEach((k, v) -> assertThat(v).as(where + " " + k).isInstanceOf(String.class));
        }
    }

    private Set<String> checkPorts(String where, Map<String, Object> c) {
        Set<String> names = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        for (Map<String, Object> p : maps(c.get("ports"))) {
            assertThat(p.get("containerPort")).as(where + " containerPort").isInstanceOf(Integer.class);
            int port = (Integer) p.get("containerPort");
            assertThat(port).as(where).isBetween(1, 65535);
            assertThat(numbers.add(port)).as(where + " port " + port + " unique").isTrue();
            if (p.get("name") != null) {
                assertThat((String) p.get("name")).as(where + " port name").matches(PORT_NAME);
                assertThat(names.add((String) p.get("name"))).as(where + " port name unique").isTrue();
            }
            if (p.get("protocol") != null) assertThat(p.get("protocol")).as(where).isIn("TCP", "UDP", "SCTP");
        }
        return names;
    }

    private void checkProbe(String where, Map<String, Object> probe, Set<String> portNames) {
        List<String> handlers = PROBE_HANDLERS.stream().filter(probe::containsKey).toList();
        assertThat(handlers).as(where + " has exactly one handler").hasSize(1);
        Map<String, Object> handler = map(probe.get(handlers.getFirst()));
        switch (handlers.getFirst()) {
            case "httpGet" -> {
                assertThat((String) handler.get("path")).as(where).startsWith("/");
                checkPortRef(where, handler.get("port"), portNames);
            }
            case "tcpSocket", "grpc" -> checkPortRef(where, handler.get("port"), portNames);
            default -> assertThat(strings(handler.get("command"))).as(where + " command").isNotEmpty();
        }
        for (String field : List.of("periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold")) {
            if (probe.containsKey(field)) assertThat((Integer) probe.get(field)).as(where + " " + field).isPositive();
        }
    }

    private static void checkPortRef(String where, Object port, Set<String> portNames) {
        assertThat(port).as(where + " port").isNotNull();
        if (port instanceof Integer n) {
            assertThat(n).as(where).isBetween(1, 65535);
        } else {
            assertThat(portNames).as(where + " names a container port").contains((String) port);
        }
    }

    /** Collects [secret name, key or null] from every place a manifest names a Secret. */
    private static void collectSecretRefs(Object node, String field, List<String[]> refs) {
        if (node instanceof Map<?, ?> m) {
            if (("secretKeyRef".equals(field) || "accessKeyId".equals(field) || "secretAccessKey".equals(field)
                    || "region".equals(field) || "sessionToken".equals(field)) && m.get("name") != null) {
                refs.add(new String[] {(String) m.get("name"), (String) m.get("key")});
            } else if (("secretRef".equals(field) || "secret".equals(field)) && m.get("name") != null) {
                refs.add(new String[] {(String) m.get("name"), null});
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("secretName".equals(e.getKey()) && e.getValue() instanceof String s) refs.add(new String[] {s, null});
                collectSecretRefs(e.getValue(), String.valueOf(e.getKey()), refs);
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) collectSecretRefs(o, field, refs);
        }
    }

    // ---------------------------------------------------------------- building the overlays

    private static List<Map<String, Object>> built(String overlay) {
        if (kustomize == null) {
            String message = "kubectl (with kustomize) or kustomize is needed to build the overlays; set KUBECTL or put it on the PATH";
            if (System.getenv("CI") != null) fail(message);
            Assumptions.abort(message);
        }
        return built.computeIfAbsent(overlay, KubernetesManifestsTest::build);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> build(String overlay) {
        try {
            Path copy = work.resolve("k8s");
            if (!Files.exists(copy)) copyWithExampleSecrets(Path.of("k8s"), copy);
            Path out = work.resolve(overlay + ".yaml");
            Path err = work.resolve(overlay + ".err");
            List<String> command = kustomize.endsWith("kustomize")
                    ? List.of(kustomize, "build", copy.resolve("overlays").resolve(overlay).toString())
                    : List.of(kustomize, "kustomize", copy.resolve("overlays").resolve(overlay).toString());
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 120 s");
            }
            assertThat(process.exitValue()).as(String.join(" ", command) + ": " + Files.readString(err)).isZero();
            List<Map<String, Object>> result = new ArrayList<>();
            try (InputStream in = Files.newInputStream(out)) {
                for (Object doc : new Yaml().loadAll(in)) {
                    if (doc instanceof Map<?, ?> m) result.add((Map<String, Object>) m);
                }
            }
            return result;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Copies the manifests as an operator prepares them: each secrets/*.example also under its real name. */
    private static void copyWithExampleSecrets(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                boolean secret = p.getParent() != null && p.getParent().getFileName().toString().equals("secrets");
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!secret) {
                    Files.copy(p, target);
                } else if (p.getFileName().toString().endsWith(".example")) {
                    Files.copy(p, target);
                    String real = target.getFileName().toString().replaceFirst("\\.example$", "");
                    Files.copy(p, target.resolveSibling(real));
                }
            }
        }
    }

    private static String findKustomize() {
        List<String> candidates = new ArrayList<>();
        if (System.getenv("KUBECTL") != null) candidates.add(System.getenv("KUBECTL"));
        String path = System.getenv("PATH");
        for (String name : List.of("kubectl", "kustomize")) {
            if (path != null) {
                for (String dir : path.split(File.pathSeparator)) candidates.add(Path.of(dir, name).toString());
            }
            candidates.add("/usr/bin/" + name);
            candidates.add("/usr/local/bin/" + name);
        }
        return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
    }

    private static String jibImage() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml")).getDocumentElement();
        String version = childText(pom, "version");
        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if ("jib-maven-plugin".equals(childText(plugin, "artifactId"))) {
                Element to = (Element) ((Element) plugin.getElementsByTagName("configuration").item(0))
                        .getElementsByTagName("to").item(0);
                return childText(to, "image").replace("${project.version}", version);
            }
        }
        throw new AssertionError("no jib-maven-plugin in pom.xml");
    }

    private static String childText(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) return e.getTextContent().trim();
        }
        return null;
    }

    // ---------------------------------------------------------------- lookups

    private static List<Map<String, Object>> secretGenerators(String overlay) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("k8s/overlays", overlay, "kustomization.yaml"))) {
            Map<String, Object> kustomization = new Yaml().load(in);
            return maps(kustomization.get("secretGenerator"));
        }
    }

    private static List<Map<String, Object>> ofKind(String overlay, String kind) {
        return built(overlay).stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> single(String overlay, String kind) {
        List<Map<String, Object>> found = ofKind(overlay, kind);
        assertThat(found).as(overlay + " " + kind).hasSize(1);
        return found.getFirst();
    }

    private static Map<String, Object> single(String overlay, String kind, String name) {
        return ofKind(overlay, kind).stream().filter(d -> name.equals(name(d))).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + " has no " + kind + "/" + name));
    }

    private static Map<String, String> segstreamEnv(String overlay) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Object> container = containers(single(overlay, "Deployment")).stream()
                .filter(c -> "segstream".equals(c.get("name"))).findFirst().orElseThrow();
        for (Map<String, Object> e : maps(container.get("env"))) {
            env.put((String) e.get("name"), e.get("value") == null ? null : String.valueOf(e.get("value")));
        }
        return env;
    }

    /** The data of every ConfigMap the workload mounts. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> configMapOf(String overlay, Map<String, Object> workload) {
        Map<String, String> data = new HashMap<>();
        for (Map<String, Object> v : maps(podSpec(workload).get("volumes"))) {
            Object configMap = get(v, "configMap", "name");
            if (configMap != null) data.putAll((Map<String, String>) single(overlay, "ConfigMap", (String) configMap).get("data"));
        }
        assertThat(data).as(name(workload) + " mounts a ConfigMap").isNotEmpty();
        return data;
    }

    private static String baseName(Map<String, Object> secret) {
        return name(secret).replaceFirst("-[a-z0-9]{10}$", "");
    }

    private static String name(Map<String, Object> doc) {
        return (String) get(doc, "metadata", "name");
    }

    /** The pod spec of a workload (an operator's template, such as a Pooler's, is only a partial one). */
    private static Map<String, Object> podSpec(Map<String, Object> doc) {
        if (!WORKLOADS.contains(doc.get("kind"))) return null;
        Object spec = get(doc, "spec", "template", "spec");
        return spec == null ? null : map(spec);
    }

    private static Object first(Object a, Object b) {
        return a != null ? a : b;
    }

    private static Map<String, Object> baseDeployment() {
        return docs.stream().filter(d -> "Deployment".equals(d.get("kind")) && String.valueOf(d.get("__file")).contains("base"))
                .findFirst().orElseThrow();
    }

    private static Map<String, Object> segstreamContainer() {
        return containers(baseDeployment()).stream().filter(c -> "segstream".equals(c.get("name"))).findFirst().orElseThrow();
    }

    private static List<Map<String, Object>> containers(Map<String, Object> doc) {
        return list(get(doc, "spec", "template", "spec", "containers"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object o) {
        return o instanceof List<?> l ? (List<T>) l : List.of();
    }

    private static List<Map<String, Object>> maps(Object o) {
        return list(o);
    }

    private static List<String> strings(Object o) {
        return list(o);
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

package edgesim.scenario.mec;

import static edgesim.scenario.Outputs.metric;
import static edgesim.scenario.Outputs.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.bridge.Frames;
import edgesim.config.ConfigException;
import edgesim.model.PathLossChannel;
import edgesim.scenario.Scenario;
import edgesim.scenario.ScenarioCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** offload-mec-v0 on a topology file and replaying a workload file. */
class OffloadMecFilesTest {
    private static final ScenarioCatalog CATALOG = new ScenarioCatalog();
    private static final double EPS = 1e-9;

    /**
     * Two device agents (d0 wired, d1 with only a wireless link, 50 m from e0), a device that is not an agent
     * (d2), an edge server e0 and a cloud node c0 behind a 50 Mbit/s link. Routes written by hand: the
     * network is a tree (d0, d2, e0 on switch sw; d1 on e0; c0 on sw).
     */
    private static String topology(String d0Role, boolean devicesAreAgents, String e0Role) {
        String agent = Boolean.toString(devicesAreAgents);
        return """
                {"format": "pygym-topology", "version": 1, "name": "mec-test",
                 "compute_nodes": [
                  {"name": "d0", "type": "rpi4", "role": "%s", "agent": %s, "cores": 2, "frequency_hz": 1.5e9,
                   "memory_bytes": 4e9},
                  {"name": "d1", "type": "rpi4", "role": "device", "agent": %s, "cores": 1, "frequency_hz": 1e9,
                   "memory_bytes": 4e9, "position_m": [30, 40]},
                  {"name": "d2", "type": "rpi4", "role": "device", "agent": false, "cores": 1, "frequency_hz": 1e9,
                   "memory_bytes": 4e9},
                  {"name": "e0", "type": "nuc", "role": "%s", "agent": false, "cores": 4, "frequency_hz": 3e9,
                   "memory_bytes": 16e9, "position_m": [0, 0]},
                  {"name": "c0", "type": "server", "role": "cloud", "agent": false, "cores": 8,
                   "frequency_hz": 2e9, "memory_bytes": 64e9}],
                 "switches": [{"name": "sw", "kind": "lan"}],
                 "links": [
                  {"source": "d0", "target": "sw", "bandwidth_bps": 1e9, "latency_s": 0.001},
                  {"source": "d2", "target": "sw", "bandwidth_bps": 1e9, "latency_s": 0.001},
                  {"source": "e0", "target": "sw", "bandwidth_bps": 1e9, "latency_s": 0.0005},
                  {"source": "d1", "target": "e0", "bandwidth_bps": 1e9, "latency_s": 0.002, "kind": "wireless"},
                  {"source": "sw", "target": "c0", "bandwidth_bps": 5e7, "latency_s": 0.02}],
                 "routes": {"routing": "hops", "nodes": ["d0", "d1", "d2", "e0", "c0"],
                  "latency_s": [[0, 0.0035, 0.002, 0.0015, 0.021], [0.0035, 0, 0.0035, 0.002, 0.0225],
                   [0.002, 0.0035, 0, 0.0015, 0.021], [0.0015, 0.002, 0.0015, 0, 0.0205],
                   [0.021, 0.0225, 0.021, 0.0205, 0]],
                  "bottleneck_bps": [[null, 1e9, 1e9, 1e9, 5e7], [1e9, null, 1e9, 1e9, 5e7],
                   [1e9, 1e9, null, 1e9, 5e7], [1e9, 1e9, 1e9, null, 5e7], [5e7, 5e7, 5e7, 5e7, null]],
                  "hops": [[0, 3, 2, 2, 2], [3, 0, 3, 1, 3], [2, 3, 0, 2, 2], [2, 1, 2, 0, 2], [2, 3, 2, 2, 0]]}}
                """.formatted(d0Role, agent, agent, e0Role);
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static Scenario create(Map<String, String> overrides) {
        return CATALOG.create(OffloadMec.ENV_ID, overrides);
    }

    private static float obs(Scenario s, int agent, String field) {
        List<String> names = s.spec().observation().stream().map(f -> f.name()).toList();
        return s.output().observation[agent * names.size() + names.indexOf(field)];
    }

    @Test
    void devicesServersHardwareAndRoutesComeFromTheFile(@TempDir Path dir) throws IOException {
        Path file = write(dir, "t.json", topology("device", true, "edge"));
        Scenario s = create(new HashMap<>(Map.of("topology", file.toString(), "n_devices", "2", "n_servers", "1",
                "task_bytes_min", "0.9e6", "task_bytes_max", "0.9e6")));
        assertEquals(List.of("d0", "d1"), s.spec().agents(), "the device agents; d2 is no agent, c0 no server");
        s.reset(3);
        assertEquals(1.5e9f, obs(s, 0, "cpu_hz"));
        assertEquals(2f, obs(s, 0, "cores"));
        assertEquals(1f, obs(s, 1, "cores"));
        assertEquals(3e9f, obs(s, 0, "es0_cpu_hz"));
        assertEquals(4f, obs(s, 0, "es0_cores"));
        assertEquals(1e9f, obs(s, 0, "es0_uplink_bps"), "the route's bottleneck");
        assertEquals(0.0015f, obs(s, 0, "es0_latency_s"));
        assertEquals(0.002f, obs(s, 1, "es0_latency_s"));
        // d1's only link is wireless: the uplink's path-loss channel at 50 m caps the 1 Gbit/s route.
        double channel = new PathLossChannel(10e6, 0.1, 15.3, 3.76, -174).rateBps(50);
        assertTrue(channel < 1e9);
        assertEquals((float) channel, obs(s, 1, "es0_uplink_bps"));
        // d0 offloads all of its task (0.9e9 cycles); d1 computes its own locally at 1 GHz.
        s.stepContinuous(new float[] {0f, 1f, 0f, -1f});
        assertEquals(2, s.output().taskRecordCount);
        double upload = 7.2e6 / 1e9 + 0.0015; // on air at the bottleneck, then the one-way latency
        double d0Latency = upload + 0.9e9 / 3e9 + 0.0015; // and the result's way back
        assertEquals(d0Latency, metric(s, 0, "latency_sum_s"), EPS);
        assertEquals(upload, metric(s, 0, "upload_sum_s"), EPS);
        assertEquals(0.0015, metric(s, 0, "return_sum_s"), EPS);
        assertEquals(0.1 * 7.2e6 / 1e9, metric(s, 0, "energy_tx_j"), 1e-12);
        assertEquals(1e-29 * 9e18 * 0.9e9, metric(s, 0, "energy_edge_j"), 1e-12);
        assertEquals(0.9, metric(s, 1, "latency_sum_s"), EPS);
        assertEquals(1e-27 * 1e18 * 0.9e9, metric(s, 1, "energy_local_j"), 1e-12);
        int checked = 0;
        for (int r = 0; r < 2; r++) {
            assertEquals(-1, record(s, r, "workload_line"));
            assertEquals(0, record(s, r, "decided_s"));
            assertEquals(0, record(s, r, "started_s"));
            assertEquals(record(s, r, "latency_s"), record(s, r, "finished_s"), EPS);
            checked++;
        }
        assertEquals(2, checked);
    }

    @Test
    void cloudNodesAreServersOnlyWhenAsked(@TempDir Path dir) throws IOException {
        Path file = write(dir, "t.json", topology("device", true, "edge"));
        Scenario s = create(new HashMap<>(Map.of("topology", file.toString(), "n_devices", "2", "n_servers", "2",
                "topology_cloud_servers", "true")));
        s.reset(1);
        assertEquals(2e9f, obs(s, 0, "es1_cpu_hz"));
        assertEquals(8f, obs(s, 0, "es1_cores"));
        assertEquals(0.021f, obs(s, 0, "es1_latency_s"));
        assertEquals(5e7f, obs(s, 1, "es1_uplink_bps"), "no cap: c0 has no position");
        assertEquals(0.0225f, obs(s, 1, "es1_latency_s"));
        ConfigException counts = assertThrows(ConfigException.class, () -> create(new HashMap<>(Map.of(
                "topology", file.toString(), "n_devices", "2", "n_servers", "1", "topology_cloud_servers", "true"))));
        assertEquals("init.net.topology = " + file + ": the file has 2 devices (role device, agent) and 2 servers"
                + " (role edge or cloud), but the scenario has 2 devices and 1 servers (pygym sets both from the "
                + "file)", counts.getMessage());
    }

    @Test
    void aFileWithoutDevicesOrServersIsRejectedNamingTheRule(@TempDir Path dir) throws IOException {
        Path noServers = write(dir, "no-servers.json", topology("device", true, "device"));
        ConfigException servers = assertThrows(ConfigException.class, () -> create(new HashMap<>(Map.of(
                "topology", noServers.toString(), "n_devices", "2", "n_servers", "1"))));
        assertEquals("init.net.topology = " + noServers + ": the file has no servers: a MEC scenario's servers "
                + "are the compute nodes with role edge (cloud nodes count only with init.net.cloud_servers true)",
                servers.getMessage());
        Path noDevices = write(dir, "no-devices.json", topology("device", false, "edge"));
        ConfigException devices = assertThrows(ConfigException.class, () -> create(new HashMap<>(Map.of(
                "topology", noDevices.toString(), "n_devices", "1", "n_servers", "1"))));
        assertTrue(devices.getMessage().endsWith(": the file has no devices: a MEC scenario's devices are the "
                + "compute nodes with role device marked as agents"), devices.getMessage());
        Path broken = write(dir, "broken.json", topology("device", true, "edge").replace("\"cores\": 4", "\"cores\": 0"));
        ConfigException bad = assertThrows(ConfigException.class, () -> create(new HashMap<>(Map.of(
                "topology", broken.toString(), "n_devices", "2", "n_servers", "1"))));
        assertTrue(bad.getMessage().contains("compute_nodes[3] (e0): cores must be an integer in [1, 4096], got 0"),
                bad.getMessage());
        // Not clamped to 2^31 - 1: a file the simulator cannot run is refused, naming the key, file, element, field.
        Path huge = write(dir, "huge.json", topology("device", true, "edge").replace("\"cores\": 4", "\"cores\": 1e30"));
        ConfigException cores = assertThrows(ConfigException.class, () -> create(new HashMap<>(Map.of(
                "topology", huge.toString(), "n_devices", "2", "n_servers", "1"))));
        assertEquals("init.net.topology: " + huge + ": compute_nodes[3] (e0): cores must be an integer in [1, 4096], "
                + "got 1e30", cores.getMessage());
    }

    private static final String HEAD = "# pygym-workload 1\n"
            + "# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s\n"
            + "arrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on\n";
    /** Lines 4..7: c needs a (md_0) and b (md_1); d arrives at md_0 after c but is released before it. */
    private static final String DAG = HEAD
            + "0.000000,md_0,a,500000000,1000,0,,\n"
            + "0.100000,md_1,b,100000000,1000,0,,\n"
            + "0.200000,md_0,c,100000000,1000,0,10.000000,a;b\n"
            + "0.300000,md_0,d,100000000,1000,0,,\n";

    private static Scenario replay(Path file, int steps) {
        return create(new HashMap<>(Map.of("workload", file.toString(), "n_devices", "2", "n_servers", "1",
                "server_hz_min", "1e9", "server_hz_max", "1e9", "episode_steps", Integer.toString(steps))));
    }

    @Test
    void replayedTasksAreDecidedOldestFirstAfterTheirDependencies(@TempDir Path dir) throws IOException {
        Scenario s = replay(write(dir, "dag.csv", DAG), 20);
        s.reset(5);
        assertEquals(1.0, s.output().time_s, "the first decision is one epoch in");
        assertEquals(2f, obs(s, 0, "queued_tasks"), "a and d; c waits for a and b");
        assertEquals(5e8f, obs(s, 0, "task_cycles"));
        assertEquals(Float.POSITIVE_INFINITY, obs(s, 0, "task_deadline_s"));
        assertEquals(1f, obs(s, 1, "task_present"));
        assertEquals(3, metric(s, 0, "arrived"));
        assertEquals(1, metric(s, 1, "arrived"));
        float[] local = {0f, -1f, 0f, -1f};
        List<String> fields = s.spec().taskRecord();
        Map<Integer, double[]> byLine = new HashMap<>();
        List<Double> decided = new ArrayList<>();
        int steps = 0;
        while (!s.output().truncated) {
            s.stepContinuous(local);
            steps++;
            decided.add(metric(s, 0, "decided") + metric(s, 1, "decided"));
            for (int r = 0; r < s.output().taskRecordCount; r++) {
                double[] rec = new double[fields.size()];
                System.arraycopy(s.output().taskRecords, r * rec.length, rec, 0, rec.length);
                byLine.put((int) record(s, r, "workload_line"), rec);
            }
        }
        // t = 1: a and b decided (a done at 1.5, b at 1.1, so c is released at 1.5 behind d);
        // t = 2: d; t = 3: c, done at 3.1: every task has finished and the replay ends the episode.
        assertEquals(3, steps);
        assertEquals(List.of(2.0, 1.0, 1.0), decided);
        assertEquals(4, byLine.size());
        int started = fields.indexOf("started_s");
        int finished = fields.indexOf("finished_s");
        double[] c = byLine.get(6);
        assertEquals(0.2, c[fields.indexOf("created_s")], EPS);
        assertEquals(3.0, c[fields.indexOf("decided_s")], EPS);
        assertTrue(c[started] >= byLine.get(4)[finished] && c[started] >= byLine.get(5)[finished]);
        assertEquals(1.5, byLine.get(4)[finished], EPS);
        assertEquals(2.0, byLine.get(7)[fields.indexOf("decided_s")], EPS);
        assertEquals(3.1 - 0.2, c[fields.indexOf("latency_s")], EPS);
        assertEquals(0, metric(s, 0, "unfinished"));
    }

    @Test
    void theStepLimitLeavesUndecidedTasksUnfinished(@TempDir Path dir) throws IOException {
        Scenario s = replay(write(dir, "dag.csv", DAG), 1);
        s.reset(5);
        s.stepContinuous(new float[] {0f, -1f, 0f, -1f});
        assertTrue(s.output().truncated);
        assertEquals(1, metric(s, 0, "completed"));
        assertEquals(1, metric(s, 1, "completed"));
        assertEquals(2, metric(s, 0, "unfinished"), "c (released during the drain) and d were never decided");
        assertEquals(0, metric(s, 1, "unfinished"));
    }

    @Test
    void noTaskArrivesAfterTheLastDecisionEpoch(@TempDir Path dir) throws IOException {
        // b keeps md_1 busy until t = 4, so the drain runs past e's arrival at 2.5, which is not the episode's.
        Scenario s = replay(write(dir, "late.csv", HEAD + "0.000000,md_0,a,100000000,0,0,,\n"
                + "0.100000,md_1,b,3000000000,0,0,,\n"
                + "2.500000,md_1,e,100000000,0,0,,\n"), 1);
        s.reset(1);
        double arrived = metric(s, 0, "arrived") + metric(s, 1, "arrived");
        s.stepContinuous(new float[] {0f, -1f, 0f, -1f});
        assertTrue(s.output().truncated);
        assertTrue(s.output().time_s >= 4.0, "drained until b was done");
        arrived += metric(s, 0, "arrived") + metric(s, 1, "arrived");
        assertEquals(2, arrived);
        assertEquals(2, metric(s, 0, "completed") + metric(s, 1, "completed"));
        assertEquals(0, metric(s, 1, "unfinished"));
    }

    @Test
    void workloadSourcesAreTheTopologysDevices(@TempDir Path dir) throws IOException {
        Path topo = write(dir, "t.json", topology("device", true, "edge"));
        Path good = write(dir, "good.csv", HEAD + "0.000000,d1,a,100000000,1000,1000,,\n"
                + "0.000000,d0,b,100000000,1000,1000,,a\n");
        Map<String, String> o = new HashMap<>(Map.of("topology", topo.toString(), "n_devices", "2",
                "n_servers", "1", "workload", good.toString(), "episode_steps", "50"));
        Scenario a = create(o);
        Scenario b = create(o);
        Frames frames = new Frames(a.spec());
        a.reset(2);
        b.reset(2);
        int compared = 0;
        double completed = 0;
        while (!a.output().truncated) {
            assertArrayEquals(frames.encode(a.output()), frames.encode(b.output()));
            a.stepContinuous(new float[] {0f, 1f, 0f, 1f});
            b.stepContinuous(new float[] {0f, 1f, 0f, 1f});
            completed += metric(a, 0, "completed") + metric(a, 1, "completed");
            compared++;
        }
        assertEquals(2, compared, "a decided at t = 1, b after it at t = 2, then the replay is over");
        assertEquals(2, completed);
        Path server = write(dir, "server.csv", HEAD + "0.000000,d0,a,100,0,0,,\n0.000000,e0,b,100,0,0,,\n");
        o.put("workload", server.toString());
        ConfigException e = assertThrows(ConfigException.class, () -> create(o));
        assertEquals("init.workload.workload = " + server + ": " + server + ":5: column 2 (source): no device "
                + "named 'e0' in this scenario (the first unknown source)", e.getMessage());
        assertFalse(e.getMessage().contains("d2"));
    }
}

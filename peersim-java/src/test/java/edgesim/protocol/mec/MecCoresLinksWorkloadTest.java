package edgesim.protocol.mec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Simulation;
import edgesim.io.FileCache;
import edgesim.model.MecJob;
import edgesim.protocol.link.LinkModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MEC building blocks added for topologies and workloads, against hand-computed times: multi-core CPUs
 * (first-in first-out and processor sharing), uploads and results over a link model with latency, and the
 * MEC workload replay (decision queues, dependencies, drops) on its own, without the scenario.
 */
class MecCoresLinksWorkloadTest {
    private static final double EPS = 1e-9;

    /** A fixed link model: every pair at {@code rate} bit/s with {@code latency} seconds one way. */
    private record FixedLinks(double rate, double latency) implements LinkModel {
        @Override
        public double rateBps(int from, int to) {
            return rate;
        }

        @Override
        public double latency_s(int from, int to) {
            return latency;
        }
    }

    /** Node 0 a device, node 1 a 1 GHz server with {@code cores} cores; {@code links} replaces the cell channel. */
    private static Simulation twoNodes(String discipline, int cores, LinkModel links) {
        String text = String.join("\n",
                "network.size 2",
                "protocol.position Coordinates",
                "protocol.cpu MecCpu",
                "protocol.cpu.hz_min 1e9",
                "protocol.cpu.hz_max 1e9",
                "protocol.cpu.discipline " + discipline,
                "protocol.cpu.kappa 1e-27",
                "protocol.cpu.cores " + cores,
                "protocol.uplink Uplink",
                "protocol.uplink.bandwidth_hz 10e6",
                "protocol.uplink.tx_power_w 0.1",
                "protocol.uplink.path_loss_db_at_1m 15.3",
                "protocol.uplink.path_loss_exponent 3.76",
                "protocol.uplink.noise_psd_dbm_per_hz -174",
                "protocol.uplink.coordinates position",
                "protocol.uplink.cpu cpu",
                links == null ? "" : "init.links Links");
        ComponentTypes types = MecComponents.register(new ComponentTypes(), new FileCache())
                .initializer("Links", (config, sim) -> () -> sim.share(LinkModel.class, links));
        Simulation sim = new Simulation(Config.parse(text, "mec-test"), types, 1);
        sim.checkAllKeysUsed();
        return sim;
    }

    private static MecCpu cpu(Simulation sim, int node) {
        return (MecCpu) sim.node(node).protocol(sim.pid("cpu"));
    }

    @Test
    void fifoRunsOneJobPerCoreInArrivalOrder() {
        Simulation sim = twoNodes("fifo", 2, null);
        JobLog log = new JobLog();
        MecJob a = new MecJob("a", log, 0, 2e9, 1);
        MecJob b = new MecJob("b", log, 0, 1e9, 1);
        MecJob c = new MecJob("c", log, 0, 1e9, 1);
        MecCpu server = cpu(sim, 1);
        assertEquals(2, server.cores());
        server.submit(a);
        server.submit(b);
        server.submit(c); // both cores busy: waits
        sim.runUntil(0.5);
        assertEquals(3, server.jobs());
        assertEquals(1.5e9 + 0.5e9 + 1e9, server.backlogCycles(), 1);
        sim.runUntil(10);
        assertEquals(List.of(b, a, c), log.computed); // a and c both end at 2.0; a's event was scheduled first
        assertEquals(1.0, b.computed_s, EPS);
        assertEquals(1.0, c.started_s, EPS); // takes b's core
        assertEquals(2.0, c.computed_s, EPS);
        assertEquals(2.0, a.computed_s, EPS);
        assertEquals(0, server.jobs());
    }

    @Test
    void processorSharingGivesEachJobAtMostOneCore() {
        Simulation sim = twoNodes("ps", 2, null);
        JobLog log = new JobLog();
        MecJob a = new MecJob("a", log, 0, 2e9, 1);
        MecJob b = new MecJob("b", log, 0, 1e9, 1);
        MecJob c = new MecJob("c", log, 0, 1e9, 1);
        MecCpu server = cpu(sim, 1);
        server.submit(a);
        server.submit(b);
        server.submit(c);
        sim.runUntil(0.75); // three jobs on two cores: 2/3 GHz each, 0.5e9 done each
        assertEquals(1.5e9 + 0.5e9 + 0.5e9, server.backlogCycles(), 1);
        sim.runUntil(10);
        // b and c finish together at 1.5 s; a then has 1e9 left alone at the full 1 GHz of one core.
        assertEquals(3, log.computed.size());
        assertEquals(1.5, b.computed_s, EPS);
        assertEquals(1.5, c.computed_s, EPS);
        assertEquals(2.5, a.computed_s, EPS);
        // Two jobs on two cores do not slow each other down.
        MecJob d = new MecJob("d", log, 0, 1e9, 1);
        MecJob e = new MecJob("e", log, 0, 3e9, 1);
        server.submit(d);
        server.submit(e);
        sim.runUntil(20);
        assertEquals(11.0, d.computed_s, EPS);
        assertEquals(13.0, e.computed_s, EPS);
    }

    @Test
    void configureSetsTheHardwareOnlyWhileIdle() {
        Simulation sim = twoNodes("fifo", 1, null);
        MecCpu server = cpu(sim, 1);
        server.configure(4, 2e9);
        assertEquals(4, server.cores());
        assertEquals(2e9, server.hz());
        assertThrows(IllegalArgumentException.class, () -> server.configure(0, 1e9));
        server.submit(new MecJob("a", new JobLog(), 0, 1e9, 1));
        assertThrows(IllegalStateException.class, () -> server.configure(2, 1e9));
        ConfigException bad = assertThrows(ConfigException.class, () -> twoNodes("fifo", 0, null));
        assertTrue(bad.getMessage().startsWith("protocol.cpu.cores = 0"), bad.getMessage());
    }

    @Test
    void uploadsAndResultsFollowTheLinkModelsRateAndLatency() {
        Simulation sim = twoNodes("fifo", 1, new FixedLinks(1e8, 0.01));
        JobLog log = new JobLog();
        Uplink uplink = (Uplink) sim.node(0).protocol(sim.pid("uplink"));
        assertEquals(1e8, uplink.rateBps(1));
        assertEquals(0.01, uplink.latency_s(1));
        MecJob a = new MecJob("a", log, 1e6, 1e8, 1);
        MecJob b = new MecJob("b", log, 1e6, 1e8, 1);
        uplink.send(a);
        uplink.send(b);
        sim.runUntil(10);
        // 8e6 bits at 1e8 bit/s = 0.08 s on air; the link is free again then, the data lands 10 ms later.
        assertEquals(0.08 + 0.01, a.uploadDone_s, EPS);
        assertEquals(0.08, b.uploadStart_s, EPS);
        assertEquals(0.16 + 0.01, b.uploadDone_s, EPS);
        assertEquals(0.1 * 0.08, a.txEnergy_j, 1e-12); // energy for the time on air, not the latency
        assertEquals(0.09 + 0.1, a.computed_s, EPS);
        assertEquals(List.of(a, b), log.uploaded);
        // A result of 1e5 bytes comes back in 10 ms + 8e5 / 1e8 s; no bytes: just the latency.
        uplink.returnResult(a, 1e5);
        uplink.returnResult(b, 0);
        sim.runUntil(20);
        assertEquals(List.of(b, a), log.returned);
        assertEquals(10 + 0.01 + 0.008, a.returned_s, EPS);
        assertEquals(10 + 0.01, b.returned_s, EPS);
    }

    @Test
    void withoutALatencyAResultIsBackAtOnce() {
        Simulation sim = twoNodes("fifo", 1, null); // the cell: no propagation delay
        JobLog log = new JobLog();
        Uplink uplink = (Uplink) sim.node(0).protocol(sim.pid("uplink"));
        MecJob a = new MecJob("a", log, 0, 1e8, 1);
        uplink.returnResult(a, 0);
        assertEquals(List.of(a), log.returned);
        assertEquals(0.0, a.returned_s);
        assertEquals(0, sim.pendingEvents());
    }

    private static final String HEAD = "# pygym-workload 1\n"
            + "# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s\n"
            + "arrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on\n";

    /** Devices node_0 and node_1 (a third node is a server, not a source); the workload replayed as given. */
    private static Simulation replay(Path file, int capacity, String end) {
        String text = String.join("\n",
                "network.size 3",
                "protocol.trace TraceArrivals",
                "init.workload MecWorkload",
                "init.workload.workload " + file,
                "init.workload.end " + end,
                "init.workload.devices 2",
                "init.workload.queue_capacity " + capacity,
                "init.workload.trace trace");
        Simulation sim = new Simulation(Config.parse(text, "replay-test"), MecComponents.register(new ComponentTypes(), new FileCache()), 1);
        sim.checkAllKeysUsed();
        return sim;
    }

    /** The device's counters since the last drain, in counter order. */
    private static double[] counters(MecWorkload w, int device) {
        int n = MecWorkload.Counter.values().length;
        double[] out = new double[n];
        w.drainCounters(device, out, 0, IntStream.range(0, n).toArray());
        return out;
    }

    @Test
    void replayedTasksQueueForTheirDeviceAfterTheirDependencies(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.csv");
        // Lines 4..9: c needs a (node_0) and b (node_1); d fills node_1's queue of two (b, d), so e is
        // dropped there, and f, which needs e, is dropped for it.
        Files.writeString(file, HEAD
                + "0.000000,node_0,a,100,10,1,,\n"
                + "0.100000,node_1,b,100,10,1,5.000000,\n"
                + "0.200000,node_0,c,100,10,1,,a;b\n"
                + "0.300000,node_1,d,100,10,1,,\n"
                + "0.300000,node_1,e,100,10,1,,\n"
                + "0.400000,node_0,f,100,10,1,,e\n");
        Simulation sim = replay(file, 2, "truncate");
        MecWorkload w = sim.sharedOrNull(MecWorkload.class);
        sim.runUntil(0.25);
        MecWorkload.Item a = w.poll(0);
        assertEquals(4, a.line);
        assertEquals(0.0, a.created_s);
        assertEquals(Double.POSITIVE_INFINITY, a.deadline_s);
        assertNull(w.peek(0), "c waits for a and b");
        MecWorkload.Item b = w.peek(1);
        assertEquals(5.0, b.deadline_s);
        assertEquals(1, w.waiting(1));
        sim.runUntil(1.0);
        assertSame(b, w.poll(1));
        assertEquals(1, w.waiting(1), "d queued, e dropped: the queue holds d now");
        assertArrayEquals(new double[] {3, 0, 1}, counters(w, 0), "a, c, f arrived; f dropped (dependency)");
        assertArrayEquals(new double[] {3, 1, 0}, counters(w, 1), "b, d, e arrived; e dropped (queue full)");
        w.completed(a);
        assertNull(w.peek(0), "c still needs b");
        assertEquals(1, w.open(0), "c: a completed, f dropped");
        sim.runUntil(1.5);
        w.completed(b);
        MecWorkload.Item c = w.poll(0);
        assertEquals(6, c.line);
        assertEquals(1.5, c.released_s);
        assertFalse(w.finished());
        w.completed(c);
        w.completed(w.poll(1));
        assertTrue(w.finished(), "file done, every task completed or dropped");
        assertEquals(0, w.open(0) + w.open(1));
        assertThrows(IllegalStateException.class, () -> w.completed(c));
    }

    @Test
    void loopingStartsTheFileOverAndSourcesMustBeDevices(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.csv");
        Files.writeString(file, HEAD + "0.000000,node_0,a,100,10,1,1.000000,\n"
                + "1.000000,node_1,b,100,10,1,,a\n");
        Simulation sim = replay(file, 100, "loop");
        MecWorkload w = sim.sharedOrNull(MecWorkload.class);
        int completed = 0;
        for (int epoch = 1; epoch <= 10; epoch++) {
            sim.runUntil(epoch);
            for (int d = 0; d < 2; d++) {
                for (MecWorkload.Item item = w.poll(d); item != null; item = w.poll(d)) {
                    w.completed(item);
                    completed++;
                }
            }
        }
        // The period is the last arrival plus the mean gap: 2 s, so passes start at 0, 2, 4, 6, 8.
        assertEquals(10, completed);
        assertFalse(w.finished());
        Path server = dir.resolve("server.csv");
        Files.writeString(server, HEAD + "0.000000,node_0,a,100,10,1,,\n0.000000,node_2,b,100,10,1,,\n");
        ConfigException e = assertThrows(ConfigException.class, () -> replay(server, 1, "truncate"));
        assertEquals("init.workload.workload = " + server + ": " + server
                + ":5: column 2 (source): no device named 'node_2' in this scenario (the first unknown source)",
                e.getMessage());
        ConfigException capacity = assertThrows(ConfigException.class, () -> replay(file, 0, "truncate"));
        assertTrue(capacity.getMessage().startsWith("init.workload.queue_capacity = 0"), capacity.getMessage());
    }
}

package edgesim.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {
    /** Records every event it receives as (time, node, arg). */
    static final class Recorder implements EventHandler {
        final List<double[]> seen;
        final Simulation sim;

        Recorder(List<double[]> seen, Simulation sim) {
            this.seen = seen;
            this.sim = sim;
        }

        @Override
        public void processEvent(Node node, int kind, long arg, Object ref) {
            seen.add(new double[] {sim.now(), node.index(), arg});
        }
    }

    private static List<double[]> seen;

    private static Simulation recorderSim(int nodes) {
        seen = new ArrayList<>();
        ComponentTypes types = new ComponentTypes()
                .protocol("Recorder", (ConfigReader c, Simulation s, int pid) -> node -> new Recorder(seen, s));
        return new Simulation(Config.parse("network.size " + nodes + "\nprotocol.rec Recorder", "test"), types, 1);
    }

    @Test
    void eventsAreDeliveredInTimeOrderAndTiesInInsertionOrder() {
        Simulation sim = recorderSim(3);
        sim.schedule(2.0, 0, 0, 0, 1, null);
        sim.schedule(1.0, 1, 0, 0, 2, null);
        sim.schedule(2.0, 2, 0, 0, 3, null);
        sim.schedule(1.0, 0, 0, 0, 4, null);
        sim.schedule(0.5, 2, 0, 0, 5, null);
        sim.runUntil(10);
        double[] args = seen.stream().mapToDouble(e -> e[2]).toArray();
        assertArrayEquals(new double[] {5, 2, 4, 1, 3}, args);
        assertEquals(5, sim.eventsProcessed());
    }

    @Test
    void manyRandomEventsMatchASortByTimeThenInsertion() {
        Simulation sim = recorderSim(50);
        Rng rng = new Rng(7);
        int n = 20_000;
        List<double[]> scheduled = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double delay = rng.nextInt(500) * 0.5; // coarse times: many ties
            int node = rng.nextInt(50);
            sim.schedule(delay, node, 0, 0, i, null);
            scheduled.add(new double[] {delay, node, i});
        }
        scheduled.sort(Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[2]));
        sim.runUntil(1e9);
        assertEquals(n, seen.size());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(scheduled.get(i), seen.get(i), "event " + i);
        }
    }

    @Test
    void runUntilStopsBeforeTheLimitAndKeepsLaterEvents() {
        Simulation sim = recorderSim(1);
        sim.schedule(1.0, 0, 0, 0, 1, null);
        sim.schedule(2.0, 0, 0, 0, 2, null);
        sim.schedule(3.0, 0, 0, 0, 3, null);
        sim.runUntil(2.0);
        assertEquals(1, seen.size());
        assertEquals(2.0, sim.now());
        assertEquals(2, sim.pendingEvents());
        sim.runUntil(3.5);
        assertEquals(3, seen.size());
        assertThrows(IllegalArgumentException.class, () -> sim.runUntil(1.0));
        assertThrows(IllegalArgumentException.class, () -> sim.schedule(-1, 0, 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> sim.schedule(Double.NaN, 0, 0, 0, 0, null));
    }

    /** A control that counts its executions and the times they ran at. */
    static final class Ticks implements Control {
        final List<Double> times = new ArrayList<>();
        final Simulation sim;

        Ticks(Simulation sim) {
            this.sim = sim;
        }

        @Override
        public void execute() {
            times.add(sim.now());
        }
    }

    @Test
    void controlsRunOnTheirSchedule() {
        List<Ticks> made = new ArrayList<>();
        ComponentTypes types = new ComponentTypes().control("Ticks", (c, s) -> {
            Ticks t = new Ticks(s);
            made.add(t);
            return t;
        });
        Simulation sim = new Simulation(Config.parse(String.join("\n", "network.size 1", "control.t Ticks",
                "control.t.from_s 1", "control.t.step_s 0.5", "control.t.until_s 3"), "test"), types, 1);
        sim.checkAllKeysUsed();
        sim.runUntil(10);
        assertEquals(List.of(1.0, 1.5, 2.0, 2.5), made.get(0).times);
    }

    @Test
    void namedStreamsAreReproducibleAndIndependent() {
        Simulation a = recorderSim(1);
        Simulation b = recorderSim(1);
        long[] fromA = {a.random("x").nextLong(), a.random("x").nextLong(), a.random("y").nextLong()};
        long[] fromB = {b.random("y").nextLong(), b.random("x").nextLong(), b.random("x").nextLong()};
        assertEquals(fromA[0], fromB[1]);
        assertEquals(fromA[1], fromB[2]);
        assertEquals(fromA[2], fromB[0]);
        assertEquals(false, Arrays.equals(new long[] {fromA[0]}, new long[] {fromA[2]}));
    }
}

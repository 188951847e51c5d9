package edgesim.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.bridge.Frames;
import edgesim.config.ConfigException;
import edgesim.engine.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffloadNeighbourTest {
    private static final ScenarioCatalog CATALOG = new ScenarioCatalog();
    private static final Map<String, String> SHORT = Map.of("episode_s", "20", "arrival_rate_hz", "6");

    /** Every frame of one episode with actions drawn from {@code actionSeed}, mask respected. */
    private static List<byte[]> episode(Scenario scenario, long seed, long actionSeed) {
        Frames frames = new Frames(scenario.spec());
        Rng rng = new Rng(actionSeed);
        int agents = scenario.spec().agents().size();
        int actions = scenario.spec().actionCount();
        List<byte[]> out = new ArrayList<>();
        scenario.reset(seed);
        out.add(frames.encode(scenario.output()));
        while (!scenario.output().truncated) {
            int[] chosen = new int[agents];
            for (int a = 0; a < agents; a++) {
                do {
                    chosen[a] = rng.nextInt(actions);
                } while (scenario.output().actionMask[a * actions + chosen[a]] == 0);
            }
            scenario.step(chosen);
            out.add(frames.encode(scenario.output()));
        }
        return out;
    }

    @Test
    void oneSeedReproducesAWholeEpisodeExactly() {
        Scenario a = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        Scenario b = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        List<byte[]> first = episode(a, 5, 9);
        List<byte[]> second = episode(b, 5, 9);
        assertEquals(201, first.size()); // the reset frame and 200 steps
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), "frame " + i);
        }
        List<byte[]> again = episode(a, 5, 9); // a reset reuses the scenario and still reproduces
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), again.get(i), "frame " + i + " after reset");
        }
        List<byte[]> other = episode(b, 6, 9);
        assertFalse(Arrays.equals(first.get(100), other.get(100)), "another seed gives another episode");
    }

    @Test
    void interleavedSimulationsDoNotInterfere() {
        Scenario solo = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        List<byte[]> expected = episode(solo, 11, 3);
        Scenario x = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        Scenario y = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        Frames frames = new Frames(x.spec());
        x.reset(11);
        y.reset(12);
        Rng rng = new Rng(3);
        int actions = x.spec().actionCount();
        int agents = x.spec().agents().size();
        int compared = 1;
        assertArrayEquals(expected.get(0), frames.encode(x.output()));
        while (!x.output().truncated) {
            int[] chosen = new int[agents];
            for (int a = 0; a < agents; a++) {
                do {
                    chosen[a] = rng.nextInt(actions);
                } while (x.output().actionMask[a * actions + chosen[a]] == 0);
            }
            y.step(new int[agents]);
            x.step(chosen);
            assertArrayEquals(expected.get(compared), frames.encode(x.output()), "frame " + compared);
            compared++;
        }
        assertEquals(expected.size(), compared);
    }

    @Test
    void workIsConservedAcrossTheEpisode() {
        Scenario s = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        List<byte[]> frames = episode(s, 2, 2);
        assertEquals(201, frames.size());
        // Re-run and sum the per-step counters: nothing finishes twice, nothing is invented.
        s.reset(2);
        int metrics = s.spec().metrics().size();
        int agents = s.spec().agents().size();
        double arrived = 0;
        double finished = 0;
        double records = 0;
        Rng rng = new Rng(2);
        while (true) {
            for (int a = 0; a < agents; a++) {
                arrived += s.output().metrics[a * metrics];
                finished += s.output().metrics[a * metrics + 1] + s.output().metrics[a * metrics + 7]
                        + s.output().metrics[a * metrics + 8];
            }
            records += s.output().taskRecordCount;
            if (s.output().truncated) {
                break;
            }
            int[] chosen = new int[agents];
            for (int a = 0; a < agents; a++) {
                chosen[a] = rng.nextInt(2) == 0 ? 0 : (s.output().actionMask[a * s.spec().actionCount() + 1] == 1 ? 1 : 0);
            }
            s.step(chosen);
        }
        assertTrue(arrived > 500, "arrivals: " + arrived);
        assertTrue(finished <= arrived, finished + " finished of " + arrived);
        assertTrue(finished >= arrived - 10 * agents * 2, "few tasks may still be in flight: " + (arrived - finished));
        assertTrue(records > 0 && records <= finished);
    }

    @Test
    void badConfigurationFailsAtCreateWithTheKey() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("queue_capacty", "3")));
        assertTrue(unknown.getMessage().contains("did you mean 'queue_capacity'"), unknown.getMessage());
        ConfigException range = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("cpu_hz_max", "1e8")));
        assertTrue(range.getMessage().startsWith("protocol.cpu.hz_max = cpu_hz_max (from 'cpu_hz_max' = 1e8"),
                range.getMessage());
        ConfigException agents = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("agents", "30")));
        assertTrue(agents.getMessage().contains("agents"), agents.getMessage());
        ConfigException type = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("protocol.cpu", "Gpu")));
        assertTrue(type.getMessage().contains("unknown protocol type; known:"), type.getMessage());
        assertThrows(ConfigException.class, () -> CATALOG.create("no-such-env-v0", Map.of()));
    }

    @Test
    void actionsOutsideTheSpaceAreRejected() {
        Scenario s = CATALOG.create(OffloadNeighbour.ENV_ID, SHORT);
        assertThrows(ResetNeeded.class, () -> s.step(new int[10]));
        s.reset(1);
        ActionException range = assertThrows(ActionException.class, () -> {
            int[] actions = new int[10];
            actions[3] = 9;
            s.step(actions);
        });
        assertEquals("action 9 for agent node_3 is outside [0, 5)", range.getMessage());
        assertThrows(ActionException.class, () -> s.step(new int[3]));
        s.step(new int[10]);
        assertEquals(1, s.output().step);
    }

    @Test
    void wiringKeysMustNameAProtocolOfTheExpectedKindAndNotTheirOwn() {
        ConfigException cast = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("protocol.beacon.linkable", "cpu")));
        assertEquals("protocol.beacon.linkable = cpu: protocol 'cpu' is a Cpu, expected a NeighbourTable "
                + "(declared protocols of that kind: links)", cast.getMessage());
        ConfigException self = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("protocol.radio.cpu", "radio")));
        assertEquals("protocol.radio.cpu = radio: protocol 'radio' cannot be wired to itself; expected a Cpu",
                self.getMessage());
        ConfigException scenarioKey = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("env.radio", "tasks")));
        assertEquals("env.radio = tasks: protocol 'tasks' is a Tasks, expected a Radio "
                + "(declared protocols of that kind: radio)", scenarioKey.getMessage());
        ConfigException initializer = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadNeighbour.ENV_ID, Map.of("init.net.coordinates", "links")));
        assertTrue(initializer.getMessage().startsWith("init.net.coordinates = links: protocol 'links' is a "
                + "NeighbourTable, expected a Coordinates"), initializer.getMessage());
    }
}

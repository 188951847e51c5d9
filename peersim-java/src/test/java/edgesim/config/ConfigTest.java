package edgesim.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
    private static final String TEXT = String.join("\n",
            "# parameters",
            "nodes 20",
            "epoch_s 0.1",
            "episode_s 100   # trailing comment",
            "network.size nodes",
            "protocol.cpu Cpu",
            "protocol.cpu.cores 2",
            "protocol.cpu.rate_hz 1e9 * 2",
            "env.steps episode_s / epoch_s",
            "env.flag true");

    @Test
    void parsesValuesReferencesAndExpressions() {
        Config c = Config.parse(TEXT, "t");
        ConfigReader r = c.reader();
        assertEquals(20, r.getInt("network.size", 1, 100));
        assertEquals(2e9, r.child("protocol.cpu").getDouble("rate_hz", 0, 1e12));
        assertEquals(1000, r.getInt("env.steps", 0, 100_000));
        assertTrue(r.getBoolean("env.flag"));
        assertEquals(List.of("cpu"), c.componentNames("protocol"));
        assertEquals("Cpu", r.getString("protocol.cpu"));
        assertEquals(List.of("protocol.cpu.cores"), r.unusedKeys());
    }

    @Test
    void overridesReplaceKnownKeysAndRejectUnknownOnes() {
        Config c = Config.parse(TEXT, "scenario-x").withOverrides(Map.of("nodes", "30"));
        assertEquals(30, c.reader().getInt("network.size", 1, 100));
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.parse(TEXT, "scenario-x").withOverrides(Map.of("nodez", "3")));
        assertTrue(e.getMessage().contains("unknown key 'nodez' for scenario-x"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'nodes'"), e.getMessage());
    }

    @Test
    void newComponentsMayBeDeclaredByOverride() {
        Config c = Config.parse(TEXT, "t").withOverrides(Map.of("control.fault", "FaultInjector",
                "control.fault.step_s", "1"));
        assertEquals(List.of("fault"), c.componentNames("control"));
        assertThrows(ConfigException.class,
                () -> Config.parse(TEXT, "t").withOverrides(Map.of("control.other.step_s", "1")));
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhereItCameFrom() {
        Config c = Config.parse(TEXT, "t").withOverrides(Map.of("nodes", "-4"));
        ConfigException e = assertThrows(ConfigException.class, () -> c.reader().getInt("network.size", 1, 100));
        assertEquals("network.size = nodes (from 'nodes' = -4, override): expected an integer in [1, 100]",
                e.getMessage());
        ConfigException word = assertThrows(ConfigException.class,
                () -> Config.parse("x four", "t").reader().getDouble("x", 0, 10));
        assertTrue(word.getMessage().startsWith("x = four (t line 1): expected a number"), word.getMessage());
        ConfigException flag = assertThrows(ConfigException.class,
                () -> Config.parse("x yes", "t").reader().getBoolean("x"));
        assertTrue(flag.getMessage().endsWith("expected true or false"), flag.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> Config.parse(TEXT, "t").reader().getInt("protocol.cpu.queue", 0, 5));
        assertEquals("missing key 'protocol.cpu.queue' in t", missing.getMessage());
    }

    @Test
    void syntaxErrorsCarryTheLine() {
        ConfigException dup = assertThrows(ConfigException.class, () -> Config.parse("a 1\nb 2\na 3", "f.cfg"));
        assertEquals("f.cfg line 3: key 'a' is already set at f.cfg line 1", dup.getMessage());
        ConfigException noValue = assertThrows(ConfigException.class, () -> Config.parse("\nlonely", "f.cfg"));
        assertEquals("f.cfg line 2: key 'lonely' has no value", noValue.getMessage());
        assertThrows(ConfigException.class, () -> Config.parse("bad..key 1", "f.cfg"));
    }

    @Test
    void referenceCyclesAreReported() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.parse("a b + 1\nb a * 2", "t").reader().getDouble("a", 0, 10));
        assertTrue(e.getMessage().contains("refers to itself"), e.getMessage());
    }
}

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
    void aTrustedReaderReadsTheSameValuesAndRecordsNoKeys() {
        Config c = Config.parse(TEXT, "t");
        Map<String, Double> numbers = new java.util.HashMap<>();
        ConfigReader checked = c.reader(numbers);
        ConfigReader trusted = c.trustedReader(numbers);
        for (ConfigReader r : List.of(checked, trusted)) {
            assertEquals(20, r.getInt("network.size", 1, 100));
            assertEquals(1000, r.getInt("env.steps", 0, 100_000));
            assertEquals("Cpu", r.getString("protocol.cpu"));
        }
        assertEquals(List.of("protocol.cpu.cores", "protocol.cpu.rate_hz", "env.flag"), checked.unusedKeys());
        assertThrows(IllegalStateException.class, trusted::unusedKeys);
        assertEquals(List.of("cpu"), c.componentNames("protocol"));
        assertEquals(List.of("flag", "steps"), c.componentNames("env").stream().sorted().toList());
        assertEquals(List.of("protocol.cpu"), c.componentKeys("protocol"));
        assertEquals(List.of("env.flag", "env.steps"), c.componentKeys("env").stream().sorted().toList());
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

    /** Key k0 = k1 + k1, k1 = k2 + k2, ..., the last = 1: 2^(n-1) evaluations unless each key is evaluated once. */
    private static String doublingChain(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n - 1; i++) {
            sb.append("k").append(i).append(" k").append(i + 1).append(" + k").append(i + 1).append('\n');
        }
        return sb.append("k").append(n - 1).append(" 1\n").toString();
    }

    @Test
    void eachKeyIsEvaluatedOnce() {
        // 60 keys: 2^59 evaluations without memoisation, which would never finish.
        ConfigReader r = Config.parse(doublingChain(60), "t").reader();
        assertEquals(Math.pow(2, 59), r.getDouble("k0", 0, Double.MAX_VALUE));
        assertEquals(Math.pow(2, 58), r.getDouble("k1", 0, Double.MAX_VALUE));
        assertEquals(List.of(), r.unusedKeys(), "every key of the chain is read");
        ConfigException big = assertThrows(ConfigException.class,
                () -> Config.parse(doublingChain(60), "t").reader().getInt("k0", 0, 1000));
        assertTrue(big.getMessage().startsWith("k0 = k1 + k1 (t line 1): expected an integer in [0, 1000]"),
                big.getMessage());
    }

    @Test
    void deepReferenceChainsAreANamedErrorNotAStackOverflow() {
        StringBuilder sb = new StringBuilder();
        int n = 100_000;
        for (int i = 0; i < n - 1; i++) {
            sb.append("k").append(i).append(" k").append(i + 1).append(" * 1\n");
        }
        sb.append("k").append(n - 1).append(" 1\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.parse(sb.toString(), "t").reader().getDouble("k0", 0, 10));
        assertTrue(e.getMessage().startsWith("key 'k0' refers to keys that refer to keys more than "
                + ConfigReader.MAX_REFERENCE_DEPTH + " deep: k0 -> k1 -> k2 -> ... ("), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        // The same through plain string references (a value naming a key).
        String names = chainOfNames(0, 200);
        ConfigException s = assertThrows(ConfigException.class, () -> Config.parse(names, "t").reader().getString("a0"));
        assertTrue(s.getMessage().startsWith("key 'a0' refers to keys that refer to keys more than"), s.getMessage());
    }

    private static String chainOfNames(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append('a').append(i).append(" a").append(i + 1).append('\n');
        }
        return sb.append('a').append(to).append(" end\n").toString();
    }

    @Test
    void deepAndLongExpressionsAreNamedErrors() {
        String parens = "(".repeat(100_000) + "1" + ")".repeat(100_000);
        ConfigException longOne = assertThrows(ConfigException.class,
                () -> Config.parse("x " + parens, "t").reader().getDouble("x", 0, 10));
        assertTrue(longOne.getMessage().contains("expected a number or an expression over keys of at most "
                + ConfigReader.MAX_EXPRESSION_CHARS + " characters, got 200001 characters"), longOne.getMessage());
        assertTrue(longOne.getMessage().startsWith("x = ((((("), longOne.getMessage());
        assertTrue(longOne.getMessage().length() < 400, "the value is cut in the message");
        String minus = "-".repeat(1000) + "1";
        ConfigException deep = assertThrows(ConfigException.class,
                () -> Config.parse("y " + minus, "t").reader().getDouble("y", -10, 10));
        assertTrue(deep.getMessage().contains("nested deeper than " + Expression.MAX_NESTING), deep.getMessage());
        assertTrue(deep.getMessage().startsWith("y = ---"), deep.getMessage());
        int limit = Expression.MAX_NESTING;
        String justDeepEnough = "(".repeat(limit) + "2" + ")".repeat(limit);
        assertEquals(2, Config.parse("z " + justDeepEnough, "t").reader().getDouble("z", 0, 10));
        String oneTooDeep = "(" + justDeepEnough + ")";
        assertThrows(ConfigException.class, () -> Config.parse("z " + oneTooDeep, "t").reader().getDouble("z", 0, 10));
    }

    @Test
    void hugeValuesAndKeysAreCutInMessages() {
        String huge = "9".repeat(1_000_000);
        ConfigException value = assertThrows(ConfigException.class,
                () -> Config.parse(TEXT, "t").withOverrides(Map.of("nodes", "x" + huge)).reader()
                        .getInt("network.size", 1, 100));
        assertTrue(value.getMessage().contains("(1000001 characters in all)"), value.getMessage());
        assertTrue(value.getMessage().length() < 600, "message of " + value.getMessage().length() + " characters");
        String longKey = "k".repeat(1_000_000);
        ConfigException key = assertThrows(ConfigException.class,
                () -> Config.parse(TEXT, "t").withOverrides(Map.of(longKey, "1")));
        assertTrue(key.getMessage().startsWith("unknown key 'kkk"), key.getMessage());
        assertTrue(key.getMessage().contains("(1000000 characters in all)"), key.getMessage());
        assertTrue(key.getMessage().length() < 600, "message of " + key.getMessage().length() + " characters");
    }

    @Test
    void aKeyWithASpaceIsExplained() {
        // What a Python override {"nodes x": 5} becomes on the wire: the line "nodes x 5".
        Config overrides = Config.parse("node s 5", "overrides");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.parse(TEXT, "t")
                .withOverrides(Map.of("node", overrides.raw("node"))));
        assertTrue(e.getMessage().startsWith("unknown key 'node' for t (a key cannot contain white space: a key "
                + "'node s' reads as key 'node' with the value 's 5'); did you mean 'nodes'?"), e.getMessage());
    }

    @Test
    void aValueWithoutAKeyIsNamedAsSuch() {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.parse("nodes 3\n 5", "overrides"));
        assertEquals("overrides line 2: '5' has no key (a line is a key, white space, then its value)", e.getMessage());
        ConfigException empty = assertThrows(ConfigException.class,
                () -> Config.parse(TEXT, "t").withOverrides(Map.of("", "5")));
        assertEquals("override: empty key", empty.getMessage());
    }
}

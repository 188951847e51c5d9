package edgesim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.ConfigException;
import edgesim.testing.TestComponents;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Test-only components reach a scenario only through a plugin that a test registers. */
class ScenarioCatalogTest {
    private static final Map<String, String> FAULT = Map.of("episode_s", "2", "control.fault", "FaultInjector",
            "control.fault.from_s", "0.5", "control.fault.step_s", "1");

    @Test
    void withoutThePluginTheFaultInjectorIsUnknownToEveryScenario() {
        ScenarioCatalog catalog = new ScenarioCatalog(List.of());
        for (String envId : catalog.envIds()) {
            ConfigException e = assertThrows(ConfigException.class, () -> catalog.create(envId,
                    Map.of("control.fault", "FaultInjector", "control.fault.step_s", "1")));
            assertTrue(e.getMessage().startsWith("control.fault = FaultInjector: unknown control type"),
                    envId + ": " + e.getMessage());
        }
    }

    @Test
    void aTestRegisteredPluginAddsItsComponents() {
        Scenario s = new ScenarioCatalog(List.of(new TestComponents())).create(OffloadNeighbour.ENV_ID, FAULT);
        s.reset(1);
        int steps = 0;
        IllegalStateException e = null;
        while (e == null && steps < 10) {
            try {
                s.step(new int[s.spec().agents().size()]);
                steps++;
            } catch (IllegalStateException thrown) {
                e = thrown;
            }
        }
        assertEquals("injected fault at t=0.5 s", e == null ? "no fault" : e.getMessage());
        assertEquals(4, steps); // decisions at 0.1 .. 0.4 s; the fault fires while running to 0.6 s
        s.close();
    }
}

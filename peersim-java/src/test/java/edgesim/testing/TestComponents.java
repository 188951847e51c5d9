package edgesim.testing;

import edgesim.engine.ComponentPlugin;
import edgesim.engine.ComponentTypes;

/**
 * The components that exist only for tests, as a plugin: JUnit tests pass it to a {@code ScenarioCatalog}, and
 * pytest runs the simulator from a jar that lists it as a service (tests/conftest.py), so a production jar never
 * knows them.
 */
public final class TestComponents implements ComponentPlugin {
    @Override
    public void register(ComponentTypes types) {
        types.control("FaultInjector", FaultInjector.TYPE);
    }
}

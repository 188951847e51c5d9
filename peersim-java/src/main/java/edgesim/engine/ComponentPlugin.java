package edgesim.engine;

/**
 * Component types from outside the simulator, added to every scenario's own. The scenario catalog finds
 * plugins on the class path with {@link java.util.ServiceLoader} (a jar lists its class in
 * {@code META-INF/services/edgesim.engine.ComponentPlugin}). The simulator's jar lists none; the tests add their
 * test-only components this way (a control that throws, to check how failures travel).
 */
public interface ComponentPlugin {
    /** Registers this plugin's component types. */
    void register(ComponentTypes types);
}

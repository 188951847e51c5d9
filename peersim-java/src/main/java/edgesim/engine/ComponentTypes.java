package edgesim.engine;

import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The component types a configuration may name ({@code protocol.cpu Cpu}). Registered explicitly by the
 * code that builds a simulation, so a typo fails with the list of known types instead of a class-path
 * search.
 */
public final class ComponentTypes {
    /** Reads and validates a protocol's keys once, then makes one instance per node; {@code pid} is its id. */
    @FunctionalInterface
    public interface ProtocolType {
        ProtocolFactory configure(ConfigReader config, Simulation sim, int pid);
    }

    /** Makes the protocol instance of one node. */
    @FunctionalInterface
    public interface ProtocolFactory {
        Protocol create(Node node);
    }

    /** Reads and validates an initializer's keys. */
    @FunctionalInterface
    public interface InitializerType {
        Initializer create(ConfigReader config, Simulation sim);
    }

    /** Reads and validates a control's keys. */
    @FunctionalInterface
    public interface ControlType {
        Control create(ConfigReader config, Simulation sim);
    }

    private final Map<String, ProtocolType> protocols = new LinkedHashMap<>();
    private final Map<String, InitializerType> initializers = new LinkedHashMap<>();
    private final Map<String, ControlType> controls = new LinkedHashMap<>();

    public ComponentTypes protocol(String name, ProtocolType type) {
        protocols.put(name, type);
        return this;
    }

    public ComponentTypes initializer(String name, InitializerType type) {
        initializers.put(name, type);
        return this;
    }

    public ComponentTypes control(String name, ControlType type) {
        controls.put(name, type);
        return this;
    }

    ProtocolType protocolType(String key, String name) {
        return lookup(protocols, "protocol", key, name);
    }

    InitializerType initializerType(String key, String name) {
        return lookup(initializers, "initializer", key, name);
    }

    ControlType controlType(String key, String name) {
        return lookup(controls, "control", key, name);
    }

    private static <T> T lookup(Map<String, T> types, String what, String key, String name) {
        T type = types.get(name);
        if (type == null) {
            throw new ConfigException(key + " = " + edgesim.io.Excerpt.of(name) + ": unknown " + what + " type; known: "
                    + String.join(", ", types.keySet()));
        }
        return type;
    }
}

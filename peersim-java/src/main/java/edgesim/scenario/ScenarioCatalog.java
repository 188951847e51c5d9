package edgesim.scenario;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.engine.ComponentPlugin;
import edgesim.scenario.mec.OffloadMec;
import edgesim.scenario.mec.OffloadMecExplabOff;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The scenarios a session can be created from, by env id, each with its configuration template. */
public final class ScenarioCatalog {
    /** Makes a scenario from its configuration, with the component types of plugins added to its own. */
    @FunctionalInterface
    private interface Factory {
        Scenario create(Config config, List<ComponentPlugin> plugins);
    }

    /** The scenarios by env id; each one's template is the resource /scenarios/ENV_ID.cfg. */
    private final Map<String, Factory> factories = Map.of(
            OffloadNeighbour.ENV_ID, OffloadNeighbour::new,
            OffloadMecExplabOff.ENV_ID, OffloadMecExplabOff::new,
            OffloadMec.ENV_ID, OffloadMec::new);
    private final List<ComponentPlugin> plugins;

    /** The catalog of the simulator's scenarios, with the component plugins found on the class path. */
    public ScenarioCatalog() {
        this(ServiceLoader.load(ComponentPlugin.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    /** The catalog of the simulator's scenarios, each also knowing the component types of {@code plugins}. */
    public ScenarioCatalog(List<ComponentPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    /** Known env ids. */
    public List<String> envIds() {
        return factories.keySet().stream().sorted().toList();
    }

    /** The template of {@code envId} with {@code overrides} applied; ConfigException on an unknown id or key. */
    public Config config(String envId, Map<String, String> overrides) {
        return Config.parse(template(envId), envId).withOverrides(overrides);
    }

    /** Builds the scenario, validating every key and value; throws ConfigException. */
    public Scenario create(String envId, Map<String, String> overrides) {
        return create(envId, config(envId, overrides));
    }

    /** Builds the scenario from a configuration made by {@link #config}; throws ConfigException. */
    public Scenario create(String envId, Config config) {
        return factory(envId).create(config, plugins);
    }

    /** The template text of {@code envId}. */
    public String template(String envId) {
        factory(envId); // an unknown id fails naming the known ones
        String resource = "/scenarios/" + envId + ".cfg";
        try (InputStream in = ScenarioCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("scenario template " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read scenario template " + resource, e);
        }
    }

    private Factory factory(String envId) {
        Factory f = factories.get(envId);
        if (f == null) {
            throw new ConfigException("unknown env id '" + envId + "'; known: " + String.join(", ", envIds()));
        }
        return f;
    }
}

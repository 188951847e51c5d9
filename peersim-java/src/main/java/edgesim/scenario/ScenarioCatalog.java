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
import java.util.function.BiFunction;

/** The scenarios a session can be created from, by env id, each with its configuration template. */
public final class ScenarioCatalog {
    private record Entry(String template, BiFunction<Config, List<ComponentPlugin>, Scenario> factory) {
    }

    private final List<ComponentPlugin> plugins;
    private final Map<String, Entry> entries = Map.of(
            OffloadNeighbour.ENV_ID, new Entry("/scenarios/offload-neighbour-v0.cfg", OffloadNeighbour::new),
            OffloadMecExplabOff.ENV_ID,
            new Entry("/scenarios/offload-mec-explaboff-v0.cfg", OffloadMecExplabOff::new),
            OffloadMec.ENV_ID, new Entry("/scenarios/offload-mec-v0.cfg", OffloadMec::new));

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
        return entries.keySet().stream().sorted().toList();
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
        return entry(envId).factory().apply(config, plugins);
    }

    /** The template text of {@code envId}. */
    public String template(String envId) {
        String resource = entry(envId).template();
        try (InputStream in = ScenarioCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("scenario template " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read scenario template " + resource, e);
        }
    }

    private Entry entry(String envId) {
        Entry e = entries.get(envId);
        if (e == null) {
            throw new ConfigException("unknown env id '" + envId + "'; known: " + String.join(", ", envIds()));
        }
        return e;
    }
}

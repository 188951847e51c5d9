package edgesim.bridge;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.ScenarioCatalog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The object Python talks to (the py4j entry point). Sessions (independent simulations) are created in
 * groups of one or more from one configuration; a group is described once and stepped with one call per step
 * of all its sessions (see {@link Frames}). Replies are text: {@code +payload} on success, or
 * {@code -kind:message\u0001detail} on failure, where the kind names the Python error (see
 * {@link BridgeException}) and the detail is the Java stack trace of an unexpected failure. Failures travel as
 * text so that Python never needs a reference to a Java object; a failing group does not affect others.
 */
public final class Sessions {
    static final char DETAIL_SEPARATOR = '\u0001';

    private final ScenarioCatalog catalog = new ScenarioCatalog();
    private final Map<Integer, Group> groups = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

    /** The bridge contract version; Python refuses to talk to a different one. */
    public int contractVersion() {
        return Frames.CONTRACT_VERSION;
    }

    /** Known env ids, comma-separated. */
    public String envIds() {
        return String.join(",", catalog.envIds());
    }

    /** The configuration template of {@code envId} (parameters with defaults, then engine wiring). */
    public String template(String envId) {
        return call(() -> catalog.template(envId));
    }

    /**
     * Creates a group of {@code count} sessions of {@code envId} with overrides given as {@code key value}
     * lines, stepped by {@code threads} worker threads (0: one per available core); validates every key and
     * value before returning the group id.
     */
    public String create(String envId, int count, int threads, String overrides) {
        return call(() -> {
            if (count < 1) {
                throw new ConfigException("a group needs at least one session, got " + count);
            }
            Config parsed = Config.parse(overrides == null ? "" : overrides, "overrides");
            Map<String, String> map = new LinkedHashMap<>();
            for (String key : parsed.keys()) {
                map.put(key, parsed.raw(key));
            }
            Config config = catalog.config(envId, map);
            List<Scenario> scenarios = new ArrayList<>(count);
            try {
                for (int i = 0; i < count; i++) {
                    scenarios.add(catalog.create(envId, config));
                }
            } catch (RuntimeException | Error e) {
                scenarios.forEach(Scenario::close);
                throw e;
            }
            int workers = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            int id = nextId.getAndIncrement();
            groups.put(id, new Group(scenarios, workers));
            return Integer.toString(id);
        });
    }

    /** The group's spec, frame layout and configuration as JSON. */
    public String describe(int id) {
        return call(() -> {
            Group g = group(id);
            return Frames.describe(g.spec(), id, g.size(), g.threads(), g.configText());
        });
    }

    /**
     * Applies an input frame to every session of the group; returns the batch frame, or on failure the UTF-8
     * bytes of {@code -kind:message\u0001detail} (a frame starts with its magic, never with '-'). py4j sends
     * a returned byte array as base64 without the per-character escaping it applies to strings.
     */
    public byte[] run(int id, byte[] input) {
        return frameCall(() -> group(id).run(input));
    }

    /**
     * Maps the shared memory {@code /dev/shm/<name>} for the group's frames (see {@link SharedFrames}); from now
     * on {@link #runShared} reads the input frame from it and writes the batch frame into it.
     */
    public String attach(int id, String name, int inputBytes, int outputBytes) {
        return call(() -> {
            group(id).attach(SharedFrames.map(name, inputBytes, outputBytes));
            return "";
        });
    }

    /**
     * As {@link #run}, with the input frame (its first {@code inputLength} bytes) in the group's shared memory
     * and the batch frame written there: returns an empty array then; a frame that does not fit the shared
     * region (many task records) comes back as the returned array instead, and a failure as its text.
     */
    public byte[] runShared(int id, int inputLength) {
        return frameCall(() -> group(id).runShared(inputLength));
    }

    /** A call that returns a frame, or the UTF-8 text of its failure as {@link #call} words it. */
    private static byte[] frameCall(Supplier<byte[]> body) {
        String failure;
        try {
            return body.get();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            failure = call(() -> {
                throw e;
            });
        }
        return failure.getBytes(StandardCharsets.UTF_8);
    }

    /** Closes a group and its scenarios; closing an unknown or closed group does nothing. */
    public String close(int id) {
        return call(() -> {
            Group g = groups.remove(id);
            if (g != null) {
                g.close();
            }
            return "";
        });
    }

    /** Number of open sessions, over all groups. */
    public int sessionCount() {
        int total = 0;
        for (Group g : groups.values()) {
            total += g.size();
        }
        return total;
    }

    private Group group(int id) {
        Group g = groups.get(id);
        if (g == null) {
            throw new ResetNeeded("no open environment group " + id + " (closed, or created on another server)");
        }
        return g;
    }

    static String call(Supplier<String> body) {
        try {
            return "+" + body.get();
        } catch (BridgeException e) {
            return failure(e.getKind(), e.getMessage(), e.getDetail());
        } catch (ConfigException e) {
            return failure(BridgeException.CONFIG, e.getMessage(), "");
        } catch (ActionException e) {
            return failure(BridgeException.ACTION, e.getMessage(), "");
        } catch (FrameException e) {
            return failure(BridgeException.FRAME, e.getMessage(), "");
        } catch (ResetNeeded e) {
            return failure(BridgeException.SESSION, e.getMessage(), "");
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return failure(BridgeException.SIMULATOR, e.toString(), BridgeException.stackTrace(e));
        }
    }

    private static String failure(String kind, String message, String detail) {
        return "-" + kind + ":" + message + DETAIL_SEPARATOR + detail;
    }
}

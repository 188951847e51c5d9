package edgesim.bridge;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.ScenarioCatalog;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The object Python talks to (the py4j entry point): creates, describes, resets, steps and closes sessions.
 * One step is one call carrying the action frame in and the step frame out. Every failure is rethrown as
 * a {@link BridgeException} whose kind names the Python error; a failing session does not affect others.
 */
public final class Sessions {
    private final ScenarioCatalog catalog = new ScenarioCatalog();
    private final Map<Integer, Session> sessions = new ConcurrentHashMap<>();
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
     * Creates a session of {@code envId} with overrides given as {@code key value} lines; validates every key
     * and value before returning the session id.
     */
    public int create(String envId, String overrides) {
        return call(() -> {
            Config parsed = Config.parse(overrides == null ? "" : overrides, "overrides");
            Map<String, String> map = new LinkedHashMap<>();
            for (String key : parsed.keys()) {
                map.put(key, parsed.raw(key));
            }
            int id = nextId.getAndIncrement();
            sessions.put(id, new Session(catalog.create(envId, map)));
            return id;
        });
    }

    /** The session's spec and frame layout as JSON. */
    public String describe(int id) {
        return call(() -> session(id).describe(id));
    }

    /** Starts a new episode; returns the first frame as base64. */
    public String reset(int id, long seed) {
        return call(() -> Base64.getEncoder().encodeToString(session(id).reset(seed)));
    }

    /** Applies one action frame; returns the next frame as base64. */
    public String step(int id, byte[] actions) {
        return call(() -> Base64.getEncoder().encodeToString(session(id).step(actions)));
    }

    /** Closes a session; closing an unknown or closed session does nothing. */
    public void close(int id) {
        sessions.remove(id);
    }

    /** Number of open sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    private Session session(int id) {
        Session s = sessions.get(id);
        if (s == null) {
            throw new ResetNeeded("no open session " + id + " (closed, or created on another server)");
        }
        return s;
    }

    private static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (ConfigException e) {
            throw new BridgeException(BridgeException.CONFIG, e.getMessage(), null);
        } catch (ActionException e) {
            throw new BridgeException(BridgeException.ACTION, e.getMessage(), null);
        } catch (FrameException e) {
            throw new BridgeException(BridgeException.FRAME, e.getMessage(), null);
        } catch (ResetNeeded e) {
            throw new BridgeException(BridgeException.SESSION, e.getMessage(), null);
        } catch (RuntimeException | StackOverflowError e) {
            throw new BridgeException(BridgeException.SIMULATOR, e.toString(), e);
        }
    }
}

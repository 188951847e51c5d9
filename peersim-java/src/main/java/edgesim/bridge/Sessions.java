package edgesim.bridge;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.config.FileAccess;
import edgesim.engine.Simulation;
import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.ScenarioCatalog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The session API, the only thing the server answers (see {@link Api}). Sessions (independent simulations) are
 * created in groups of one or more from one configuration; a group is described once and stepped with one call
 * per step of all its sessions (see {@link Frames}). Replies are text: {@code +payload} on success, or
 * {@code -kind:message\u0001detail} on failure, where the kind names the Python error (see
 * {@link BridgeException}) and the detail is the Java stack trace of an unexpected failure. Failures travel as
 * text so that Python never needs a reference to a Java object; a failing group does not affect others.
 *
 * <p>Every group belongs to the {@link Owner} that created it: a client identity shared by all the connections
 * of one pygym client ({@link #hello}), or a single connection that never said hello. Another owner gets the
 * same error as for a group that does not exist. An owner with no connection left for the grace period
 * ({@link Limits#orphanGrace_s}) is gone: its groups are closed and its uploads dropped.
 */
public final class Sessions {
    static final char DETAIL_SEPARATOR = '\u0001';
    /** A client identity: what {@link #hello} accepts. */
    static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    /** One client identity: its groups, what they use, and its connections. */
    public final class Owner {
        final String id;
        final Set<Integer> groups = new HashSet<>();
        /** Digests this owner holds from its offers and uploads until its next create, with counts. */
        final Map<String, Integer> holds = new HashMap<>();
        int connections;
        long sessions;
        long nodes;
        boolean gone;
        ScheduledFuture<?> expiry;

        Owner(String id) {
            this.id = id;
        }
    }

    private record Entry(Group group, Owner owner, List<String> files, long nodes) {
    }

    private final ScenarioCatalog catalog = new ScenarioCatalog();
    private final Map<Integer, Entry> groups = new ConcurrentHashMap<>();
    private final Map<String, Owner> owners = new HashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicInteger nextAnonymous = new AtomicInteger(1);
    private final Limits limits;
    private final ContentStore store;
    private final FileAccess files;
    private final ScheduledExecutorService timer;

    /**
     * {@code store}: files sent by content (null: none); {@code files}: what configurations may open;
     * {@code timer}: runs the expiry of owners without connections (null: owners never expire).
     */
    public Sessions(Limits limits, ContentStore store, FileAccess files, ScheduledExecutorService timer) {
        this.limits = limits;
        this.store = store;
        this.files = files;
        this.timer = timer;
    }

    /** Sessions inside this JVM (benchmarks): no limits but the heap, paths opened as written. */
    public Sessions() {
        this(Limits.OWN_PROCESS, null, FileAccess.LOCAL, null);
    }

    // --- owners -----------------------------------------------------------------------------------------------

    /** The owner {@code id} (a pygym client's identity), now with one more connection. */
    public synchronized Owner connect(String id) {
        Owner owner = owners.get(id);
        if (owner == null || owner.gone) {
            owner = new Owner(id);
            owners.put(id, owner);
        }
        owner.connections++;
        if (owner.expiry != null) {
            owner.expiry.cancel(false);
            owner.expiry = null;
        }
        return owner;
    }

    /** An owner of its own for a connection that never said hello. */
    Owner connectAnonymous() {
        // '#' is not allowed in client ids, so no hello can join it.
        return connect("#" + nextAnonymous.getAndIncrement());
    }

    /** One connection of {@code owner} closed; with none left, it is gone after the grace period. */
    synchronized void disconnect(Owner owner) {
        if (--owner.connections > 0 || owner.gone) {
            return;
        }
        if (timer == null) {
            return;
        }
        try {
            owner.expiry = timer.schedule(() -> expire(owner), Math.round(limits.orphanGrace_s() * 1000),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The server is shutting down: its sessions end with it.
        }
    }

    /** Closes the groups of an owner without connections and drops its uploads and holds. */
    void expire(Owner owner) {
        List<Entry> closing = new ArrayList<>();
        synchronized (this) {
            if (owner.connections > 0 || owner.gone) {
                return;
            }
            owner.gone = true;
            owners.remove(owner.id, owner);
            for (int id : owner.groups) {
                Entry e = groups.remove(id);
                if (e != null) {
                    closing.add(e);
                }
            }
            owner.groups.clear();
            owner.sessions = 0;
            owner.nodes = 0;
            releaseHolds(owner, new ArrayList<>(owner.holds.keySet()), true);
            if (store != null) {
                store.abandon(owner);
            }
        }
        int sessions = 0;
        for (Entry e : closing) {
            e.group().close();
            if (store != null) {
                store.release(e.files());
            }
            sessions += e.group().size();
        }
        if (sessions > 0) {
            System.err.println("simulator server: a client went away (no connection for " + limits.orphanGrace_s()
                    + " s); closed its " + sessions + " session(s) in " + closing.size() + " group(s)");
        }
    }

    /** Checks a client id given to hello. */
    static String checkClientId(String id) {
        if (id == null || !CLIENT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("hello: a client id is 16 to 128 letters, digits, '_' or '-'");
        }
        return id;
    }

    // --- the API ----------------------------------------------------------------------------------------------

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
     * Creates a group of {@code count} sessions of {@code envId} for {@code owner} with overrides given as
     * {@code key value} lines, stepped by {@code threads} worker threads (0: one per available core); validates
     * every key and value, and the owner's limits, before returning the group id. Releases the owner's holds on
     * the files it names, whatever the outcome.
     */
    public String create(Owner owner, String envId, int count, int threads, String overrides) {
        return call(() -> {
            Map<String, String> map = new LinkedHashMap<>();
            if (overrides != null) {
                Config parsed = Config.parse(overrides, "overrides");
                for (String key : parsed.keys()) {
                    map.put(key, parsed.raw(key));
                }
            }
            List<String> named = new ArrayList<>();
            Map<String, String> keyOf = new HashMap<>();
            for (Map.Entry<String, String> o : map.entrySet()) {
                if (o.getValue().startsWith(FileAccess.CONTENT_PREFIX)) {
                    String sha256 = o.getValue().substring(FileAccess.CONTENT_PREFIX.length());
                    named.add(sha256);
                    keyOf.put(sha256, o.getKey());
                }
            }
            try {
                return create(owner, envId, count, threads, map, keyOf);
            } finally {
                synchronized (this) {
                    releaseHolds(owner, named, false);
                }
            }
        });
    }

    private String create(Owner owner, String envId, int count, int threads, Map<String, String> overrides,
            Map<String, String> keyOf) {
        if (count < 1) {
            throw new ConfigException("a group needs at least one session, got " + count);
        }
        Config config = catalog.config(envId, overrides).withFileAccess(files);
        long nodes = nodesPerSession(config);
        List<String> used = store == null ? List.of() : ContentStore.named(config);
        reserve(owner, count, nodes);
        boolean referenced = false;
        List<Scenario> scenarios = new ArrayList<>(count);
        // Taken first so the workers carry the group's id in their names (an id of a failed create is skipped).
        int id = nextId.getAndIncrement();
        Group group;
        try {
            if (!used.isEmpty()) {
                store.reference(used, keyOf);
                referenced = true;
            }
            for (int i = 0; i < count; i++) {
                scenarios.add(catalog.create(envId, config));
            }
            group = new Group(scenarios, threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
                    "group-" + id);
        } catch (RuntimeException | Error e) {
            scenarios.forEach(Scenario::close);
            unreserve(owner, count, nodes, referenced ? used : List.of());
            throw e;
        }
        synchronized (this) {
            if (!owner.gone) {
                groups.put(id, new Entry(group, owner, used, count * nodes));
                owner.groups.add(id);
                return Integer.toString(id);
            }
        }
        // The client went away while its group was being built.
        group.close();
        unreserve(owner, count, nodes, used);
        throw new ResetNeeded("the client went away while its sessions were created");
    }

    private void unreserve(Owner owner, int count, long nodes, List<String> referenced) {
        if (!referenced.isEmpty()) {
            store.release(referenced);
        }
        synchronized (this) {
            owner.sessions -= count;
            owner.nodes -= count * nodes;
        }
    }

    /** {@code network.size} read before anything is built (0 when a scenario sets it itself). */
    private static long nodesPerSession(Config config) {
        try {
            return config.reader().getLong(Simulation.PAR_SIZE, 1, Long.MAX_VALUE);
        } catch (ConfigException e) {
            // "auto" (offload-mec-explaboff-v0's published settings, at most a few nodes) or a bad value, which
            // the simulation reports with its own message.
            return 0;
        }
    }

    private synchronized void reserve(Owner owner, int count, long nodes) {
        checkHeap();
        if (nodes > limits.maxNodesPerSession()) {
            throw limit("network.size = " + nodes + " nodes: this server allows at most " + limits.maxNodesPerSession()
                    + " nodes per session (pygym sim serve --max-nodes-per-session)");
        }
        if (owner.sessions + count > limits.maxSessionsPerClient()) {
            throw limit("this client has " + owner.sessions + " session(s) open on this server; " + count
                    + " more would pass its limit of " + limits.maxSessionsPerClient()
                    + " sessions per client (close environments, or pygym sim serve --max-sessions-per-client)");
        }
        if (owner.nodes + count * nodes > limits.maxNodesPerClient()) {
            throw limit("this client's sessions have " + owner.nodes + " nodes on this server; " + count + " x "
                    + nodes + " more would pass its limit of " + limits.maxNodesPerClient()
                    + " nodes per client (close environments, or pygym sim serve --max-nodes-per-client)");
        }
        owner.sessions += count;
        owner.nodes += count * nodes;
    }

    /** Refuses new sessions while the heap is nearly full, after a collection has had its chance. */
    private void checkHeap() {
        if (limits.maxHeapFraction() >= 1) {
            return;
        }
        Runtime runtime = Runtime.getRuntime();
        long max = runtime.maxMemory();
        long used = runtime.totalMemory() - runtime.freeMemory();
        if (used > limits.maxHeapFraction() * max) {
            // Rare: only near the limit, where a full collection costs less than a refusal or an OutOfMemoryError.
            System.gc();
            used = runtime.totalMemory() - runtime.freeMemory();
        }
        if (used > limits.maxHeapFraction() * max) {
            throw limit("the simulator server's memory is nearly full (" + (used >> 20) + " of " + (max >> 20)
                    + " MB in use, above " + Math.round(100 * limits.maxHeapFraction()) + "%): close sessions, or "
                    + "give the server's JVM more heap (-Xmx)");
        }
    }

    private static BridgeException limit(String message) {
        return new BridgeException(BridgeException.LIMIT, message, null);
    }

    /** The group's spec, frame layout and configuration as JSON. */
    public String describe(Owner owner, int id) {
        return call(() -> {
            Group g = group(owner, id);
            return Frames.describe(g.spec(), id, g.size(), g.threads(), g.configText());
        });
    }

    /**
     * Applies an input frame to every session of the group; returns the batch frame, or on failure the UTF-8
     * bytes of {@code -kind:message\u0001detail} (a frame starts with its magic, never with '-'). A byte array
     * crosses as base64 without the per-character escaping of strings.
     */
    public byte[] run(Owner owner, int id, byte[] input) {
        return frameCall(() -> group(owner, id).run(input));
    }

    /**
     * Maps the shared memory {@code /dev/shm/<name>} for the group's frames (see {@link SharedFrames}); from now
     * on {@link #runShared} reads the input frame from it and writes the batch frame into it.
     */
    public String attach(Owner owner, int id, String name, int inputBytes, int outputBytes) {
        return call(() -> {
            group(owner, id).attach(SharedFrames.map(name, inputBytes, outputBytes));
            return "";
        });
    }

    /**
     * As {@link #run}, with the input frame (its first {@code inputLength} bytes) in the group's shared memory
     * and the batch frame written there: returns an empty array then; a frame that does not fit the shared
     * region (many task records) comes back as the returned array instead, and a failure as its text.
     */
    public byte[] runShared(Owner owner, int id, int inputLength) {
        return frameCall(() -> group(owner, id).runShared(inputLength));
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

    /** Closes a group and its scenarios; closing an unknown, closed or another owner's group does nothing. */
    public String close(Owner owner, int id) {
        return call(() -> {
            Entry e;
            synchronized (this) {
                e = groups.get(id);
                if (e == null || e.owner() != owner) {
                    return "";
                }
                groups.remove(id);
                owner.groups.remove(id);
                owner.sessions -= e.group().size();
                owner.nodes -= e.nodes();
            }
            e.group().close();
            if (store != null) {
                store.release(e.files());
            }
            return "";
        });
    }

    /** Number of open sessions on this server, over all groups and clients. */
    public int sessionCount() {
        int total = 0;
        for (Entry e : groups.values()) {
            total += e.group().size();
        }
        return total;
    }

    /** Starts sending a file by content: "have" (kept: nothing to send) or "send" (see {@link ContentStore}). */
    public String fileOffer(Owner owner, String sha256, long bytes) {
        return call(() -> {
            String answer = store().offer(owner, sha256, bytes);
            if (answer.equals("have")) {
                hold(owner, sha256);
            }
            return answer;
        });
    }

    /** One chunk of a file being sent, at byte {@code offset}; returns the bytes received so far. */
    public String fileChunk(Owner owner, String sha256, long offset, byte[] data) {
        return call(() -> Long.toString(store().chunk(owner, sha256, offset, data)));
    }

    /** Ends sending a file: checked, then usable as {@code content:<sha256>} by this owner's next create. */
    public String fileEnd(Owner owner, String sha256) {
        return call(() -> {
            store().finish(owner, sha256);
            hold(owner, sha256);
            return "";
        });
    }

    private synchronized void hold(Owner owner, String sha256) {
        if (owner.gone) {
            store.release(List.of(sha256));
            throw new ResetNeeded("this client went away");
        }
        owner.holds.merge(sha256, 1, Integer::sum);
    }

    /** Releases {@code owner}'s holds on {@code digests}: one each, or all of them. */
    private void releaseHolds(Owner owner, List<String> digests, boolean all) {
        if (store == null) {
            return;
        }
        List<String> released = new ArrayList<>();
        for (String sha256 : digests) {
            Integer held = owner.holds.get(sha256);
            if (held == null) {
                continue;
            }
            int n = all ? held : 1;
            for (int i = 0; i < n; i++) {
                released.add(sha256);
            }
            if (held - n <= 0) {
                owner.holds.remove(sha256);
            } else {
                owner.holds.put(sha256, held - n);
            }
        }
        store.release(released);
    }

    private ContentStore store() {
        if (store == null) {
            throw new BridgeException(BridgeException.FILE, "this server takes no files by content", null);
        }
        return store;
    }

    private Group group(Owner owner, int id) {
        Entry e = groups.get(id);
        if (e == null || e.owner() != owner) {
            throw new ResetNeeded("no open environment group " + id + " (closed, or created on another server)");
        }
        return e.group();
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

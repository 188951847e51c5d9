package edgesim.bridge;

import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.Spec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sessions created together from one configuration and stepped together: one {@link #run} carries every
 * session's operation and actions in and every session's output out (see {@link Frames}). A run first checks
 * every session's input and applies nothing if one is wrong; then the sessions are stepped by a fixed pool of
 * worker threads, each session by exactly one thread. Sessions share no mutable state, so the frames do not
 * depend on the number of threads. After an unexpected exception in any session the group refuses to step
 * until every session is reset. Calls on one group are serialised.
 */
final class Group {
    /** Claims per thread and call: small enough to balance uneven steps, large enough to keep claims cheap. */
    private static final int CHUNKS_PER_THREAD = 8;

    private final Scenario[] scenarios;
    private final Frames frames;
    private final Spec spec;
    private final int threads;
    private final ExecutorService pool;
    /** Per session: whether an episode is running (reset done, not ended). */
    private final boolean[] live;
    private final int[][] discrete;
    private final float[][] continuous;
    private String failure;
    private boolean closed;
    private SharedFrames shared;

    /** {@code name} names the worker threads ({@code name-worker-k}). */
    Group(List<Scenario> scenarios, int threads, String name) {
        this.scenarios = scenarios.toArray(new Scenario[0]);
        this.spec = this.scenarios[0].spec();
        this.frames = new Frames(spec);
        int n = this.scenarios.length;
        this.threads = Math.max(1, Math.min(threads, n));
        // The caller's thread steps one share itself, so a pool of threads - 1 workers keeps `threads` busy.
        AtomicInteger workers = new AtomicInteger();
        this.pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, name + "-worker-" + workers.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.live = new boolean[n];
        int values = frames.actionValues();
        this.discrete = frames.continuous() ? null : new int[n][values];
        this.continuous = frames.continuous() ? new float[n][values] : null;
    }

    int size() {
        return scenarios.length;
    }

    int threads() {
        return threads;
    }

    Spec spec() {
        return spec;
    }

    String configText() {
        return scenarios[0].configText();
    }

    synchronized void attach(SharedFrames frames) {
        shared = frames;
    }

    /**
     * Runs the input frame found in the shared memory; the batch frame is written there (an empty array is
     * returned) or, if it does not fit, returned.
     */
    synchronized byte[] runShared(int inputLength) {
        if (shared == null) {
            throw new ResetNeeded("this environment group has no shared memory attached");
        }
        ByteBuffer frame = run(shared.input(inputLength), shared.output);
        if (frame.hasArray()) {
            return frame.array();
        }
        return new byte[0];
    }

    /** Applies the input frame (see {@link Frames}) and returns the batch frame. */
    synchronized byte[] run(byte[] input) {
        ByteBuffer frame = run(input, null);
        return frame.array();
    }

    /**
     * Applies the input frame and writes the batch frame into {@code target} (from its start) when it fits, else
     * into a new heap buffer; returns the buffer holding the frame, whose limit is the frame's length.
     */
    synchronized ByteBuffer run(byte[] input, ByteBuffer target) {
        if (closed) {
            throw new ResetNeeded("this environment group is closed");
        }
        int n = scenarios.length;
        ByteBuffer in = frames.checkInput(input, n);
        boolean records = (in.getInt(12) & Frames.INPUT_FLAG_RECORDS) != 0;
        byte[] ops = new byte[n];
        in.get(Frames.INPUT_HEADER_BYTES, ops);
        long[] seeds = new long[n];
        in.asLongBuffer().get(Frames.seedsOffset(n) >> 3, seeds);
        check(in, ops);
        // Task records do not move the fixed sections, so workers write those while records are counted later.
        Frames.Layout fixed = frames.layout(n, 0);
        ByteBuffer out = target != null && target.capacity() >= fixed.bytes
                ? target.duplicate().order(ByteOrder.LITTLE_ENDIAN)
                : Frames.wrap(new byte[fixed.bytes]);
        Throwable[] errors = new Throwable[n];
        if (pool == null) {
            runShare(0, n, ops, seeds, errors, out, fixed);
        } else {
            runInParallel(ops, seeds, errors, out, fixed);
        }
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                failure = "env " + i + ": " + errors[i];
                throw new BridgeException(BridgeException.SIMULATOR, "env " + i + ": " + errors[i], errors[i]);
            }
        }
        if (failure != null && allReset(ops)) {
            failure = null;
        }
        Frames.Layout layout = fixed;
        if (records) {
            int total = 0;
            for (Scenario s : scenarios) {
                total += s.output().taskRecordCount;
            }
            layout = frames.layout(n, total);
            if (layout.bytes > out.capacity()) {
                byte[] grown = new byte[layout.bytes];
                out.get(0, grown, 0, fixed.bytes);
                out = Frames.wrap(grown);
            }
        }
        frames.writeHeader(out, layout, records);
        if (records) {
            int next = 0;
            for (int i = 0; i < n; i++) {
                next = frames.writeRecords(out, layout, i, scenarios[i].output(), next);
            }
        }
        return out.limit(layout.bytes);
    }

    private static boolean allReset(byte[] ops) {
        for (byte op : ops) {
            if (op != Frames.OP_RESET) {
                return false;
            }
        }
        return true;
    }

    /** Validates every session's operation and actions, before anything is applied. */
    private void check(ByteBuffer in, byte[] ops) {
        int n = scenarios.length;
        int values = frames.actionValues();
        int actionsOffset = Frames.actionsOffset(n);
        int agents = spec.agents().size();
        for (int i = 0; i < n; i++) {
            byte op = ops[i];
            if (op == Frames.OP_RESET || op == Frames.OP_HOLD) {
                continue;
            }
            if (op != Frames.OP_STEP) {
                throw new FrameException("env " + i + ": unknown operation " + op + " (0 step, 1 reset, 2 hold)");
            }
            if (failure != null) {
                throw new ResetNeeded("this environment group failed earlier (" + failure
                        + "); reset every env to continue");
            }
            if (!live[i]) {
                throw new ResetNeeded("env " + i + ": the episode ended (or was never started); reset it first");
            }
            if (discrete != null) {
                in.asIntBuffer().get((actionsOffset >> 2) + i * values, discrete[i]);
                int count = frames.actionCount();
                for (int a = 0; a < agents; a++) {
                    int action = discrete[i][a];
                    if (action < 0 || action >= count) {
                        throw new ActionException("env " + i + ", agent " + spec.agents().get(a) + ": action "
                                + action + " is outside [0, " + count + ")");
                    }
                }
            } else {
                in.asFloatBuffer().get((actionsOffset >> 2) + i * values, continuous[i]);
                int dim = spec.actionDim();
                for (int v = 0; v < values; v++) {
                    float x = continuous[i][v];
                    if (!Float.isFinite(x)) {
                        throw new ActionException("env " + i + ", agent " + spec.agents().get(v / dim) + ": "
                                + spec.continuousActions().get(v % dim).name() + " is " + x
                                + "; expected a finite number");
                    }
                }
            }
        }
    }

    /**
     * Steps the sessions on the caller's thread and the workers. Sessions are claimed a few at a time from a
     * shared counter rather than split in fixed shares: the caller starts at once while a parked worker wakes
     * up (tens of microseconds on a VM), and sessions with slower steps do not leave a thread idle. Each
     * session is still stepped by exactly one thread and writes only its own slots, so the frame does not
     * depend on who claimed what.
     */
    private void runInParallel(byte[] ops, long[] seeds, Throwable[] errors, ByteBuffer out, Frames.Layout layout) {
        int n = scenarios.length;
        int chunk = Math.max(1, n / (threads * CHUNKS_PER_THREAD));
        int chunks = (n + chunk - 1) / chunk;
        AtomicInteger next = new AtomicInteger();
        CountDownLatch unfinished = new CountDownLatch(chunks);
        AtomicReference<Throwable> crash = new AtomicReference<>();
        // A worker that wakes after the last chunk was claimed finds nothing and returns: nobody waits for it.
        Runnable claim = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    runShare(c * chunk, Math.min(n, (c + 1) * chunk), ops, seeds, errors, out, layout);
                } catch (Throwable t) {
                    crash.compareAndSet(null, t);
                } finally {
                    unfinished.countDown();
                }
            }
        };
        for (int t = 1; t < threads; t++) {
            pool.execute(claim);
        }
        claim.run();
        try {
            unfinished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the group was stepping", e);
        }
        if (crash.get() != null) {
            throw new IllegalStateException("a worker failed outside any session", crash.get());
        }
    }

    /**
     * Applies the operations of sessions [from, to) and writes their outputs into {@code out}; an exception in
     * one session is recorded and the others still run.
     */
    private void runShare(int from, int to, byte[] ops, long[] seeds, Throwable[] errors, ByteBuffer out,
            Frames.Layout layout) {
        ByteBuffer b = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            Scenario s = scenarios[i];
            try {
                if (ops[i] != Frames.OP_HOLD) {
                    if (ops[i] == Frames.OP_RESET) {
                        s.reset(seeds[i]);
                    } else if (discrete != null) {
                        s.step(discrete[i]);
                    } else {
                        s.stepContinuous(continuous[i]);
                    }
                    live[i] = !(s.output().terminated || s.output().truncated);
                }
                frames.writeSession(b, layout, i, s.output());
            } catch (RuntimeException | StackOverflowError e) {
                live[i] = false;
                errors[i] = e;
            }
        }
    }

    /** Closes every scenario (releasing workload files) and stops the worker threads. Idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shared = null;
        if (pool != null) {
            pool.shutdownNow();
        }
        for (Scenario s : scenarios) {
            s.close();
        }
    }
}

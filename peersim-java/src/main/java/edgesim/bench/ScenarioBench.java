package edgesim.bench;

import edgesim.bridge.Frames;
import edgesim.bridge.Sessions;
import edgesim.engine.Rng;
import edgesim.scenario.Scenario;
import edgesim.scenario.ScenarioCatalog;
import edgesim.scenario.Spec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Steps a group of sessions inside the JVM through the same calls the bridge makes (input frame in, batch
 * frame out, base64-encoded as py4j sends it), with uniformly random valid actions (for continuous actions, each value uniform in
 * [-1, 1]); an env whose episode ended is reset on the next call, as the vector env's autoreset does. Prints
 * one JSON line: env steps, seconds, env steps/s, mean reset seconds, peak RSS. Usage:
 * {@code ScenarioBench ENV_ID STEPS SEED [--envs N] [--threads T] [key=value ...]}; STEPS counts calls.
 */
public final class ScenarioBench {
    private ScenarioBench() {
    }

    public static void main(String[] args) {
        String envId = args[0];
        int calls = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int envs = 1;
        int threads = 1;
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--envs" -> envs = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    int eq = args[i].indexOf('=');
                    values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        StringBuilder overrides = new StringBuilder();
        values.forEach((k, v) -> overrides.append(k).append(' ').append(v).append('\n'));
        Sessions sessions = new Sessions();
        Sessions.Owner owner = sessions.connect("scenario-bench-client");
        int id = Integer.parseInt(ok(sessions.create(owner, envId, envs, threads, overrides.toString())));
        Scenario probe = new ScenarioCatalog().create(envId, values);
        Spec spec = probe.spec();
        probe.close();
        Batch batch = new Batch(sessions, owner, id, envs, spec, new Rng(seed));
        batch.resetAll(seed);
        batch.steps(calls / 5);
        long t0 = System.nanoTime();
        long envSteps = batch.steps(calls);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int resetSamples = 20;
        long r0 = System.nanoTime();
        for (int i = 0; i < resetSamples; i++) {
            batch.resetAll(seed + i);
        }
        double meanReset = (System.nanoTime() - r0) / 1e9 / resetSamples / envs;
        System.out.printf(java.util.Locale.ROOT,
                "{\"env_id\":\"%s\",\"envs\":%d,\"threads\":%d,\"agents\":%d,\"env_steps\":%d,\"seconds\":%.4f,"
                        + "\"steps_per_s\":%.1f,\"mean_reset_s\":%.6f,\"peak_rss_bytes\":%d}%n",
                envId, envs, threads, batch.agents, envSteps, seconds, envSteps / seconds, meanReset,
                Measure.peakRssBytes());
        sessions.close(owner, id);
    }

    static String ok(String reply) {
        if (!reply.startsWith("+")) {
            throw new IllegalStateException(reply.substring(1).replace('\u0001', '\n'));
        }
        return reply.substring(1);
    }

    /** A group driven with random valid actions; offsets come from the same {@link Frames} the bridge uses. */
    private static final class Batch {
        final Sessions sessions;
        final Sessions.Owner owner;
        final int id;
        final int envs;
        final int agents;
        final int actions;
        final int actionDim;
        final Rng rng;
        final Frames frames;
        final Frames.Layout layout;
        final byte[] ops;
        final long[] seeds;
        final int[] discrete;
        final float[] continuous;
        ByteBuffer last;
        long resetSeed;

        Batch(Sessions sessions, Sessions.Owner owner, int id, int envs, Spec spec, Rng rng) {
            this.sessions = sessions;
            this.owner = owner;
            this.id = id;
            this.envs = envs;
            this.rng = rng;
            this.agents = spec.agents().size();
            this.actions = spec.actionCount();
            this.actionDim = spec.continuous() ? spec.actionDim() : 0;
            this.frames = new Frames(spec);
            this.layout = frames.layout(envs, 0);
            this.ops = new byte[envs];
            this.seeds = new long[envs];
            this.discrete = actionDim == 0 ? new int[envs * agents] : null;
            this.continuous = actionDim == 0 ? null : new float[envs * agents * actionDim];
        }

        void resetAll(long seed) {
            resetSeed = seed;
            Arrays.fill(ops, Frames.OP_RESET);
            for (int i = 0; i < envs; i++) {
                seeds[i] = seed + i;
            }
            call();
        }

        /** Makes {@code calls} calls; returns the env steps taken (resets excluded). */
        long steps(int calls) {
            long taken = 0;
            for (int c = 0; c < calls; c++) {
                for (int i = 0; i < envs; i++) {
                    boolean ended = last.get(layout.ends + i) != 0;
                    ops[i] = ended ? Frames.OP_RESET : Frames.OP_STEP;
                    seeds[i] = ++resetSeed;
                    taken += ended ? 0 : 1;
                    for (int a = 0; a < agents; a++) {
                        if (discrete != null) {
                            int base = layout.actionMask + (i * agents + a) * actions;
                            int choice;
                            do {
                                choice = rng.nextInt(actions);
                            } while (last.get(base + choice) == 0);
                            discrete[i * agents + a] = choice;
                        } else {
                            for (int k = 0; k < actionDim; k++) {
                                continuous[(i * agents + a) * actionDim + k] = (float) rng.uniform(-1, 1);
                            }
                        }
                    }
                }
                call();
            }
            return taken;
        }

        private void call() {
            byte[] input = frames.encodeInput(ops, seeds, discrete != null ? discrete : continuous, false);
            byte[] reply = sessions.run(owner, id, input);
            if (reply[0] == '-') {
                throw new IllegalStateException(new String(reply, java.nio.charset.StandardCharsets.UTF_8));
            }
            // What crosses the bridge: the frame as base64 text.
            last = ByteBuffer.wrap(Base64.getDecoder().decode(Base64.getEncoder().encode(reply)))
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}

package edgesim.bench;

import edgesim.bridge.Sessions;
import edgesim.engine.Rng;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Steps a scenario inside the JVM through the same session calls the bridge makes (action frame in,
 * base64 step frame out), with uniformly random valid actions (for continuous actions, each value uniform in
 * its field's [-1, 1]), and prints one JSON line: steps, seconds, steps/s, events/step, mean reset seconds,
 * peak RSS. Usage: {@code ScenarioBench ENV_ID STEPS SEED [key=value ...]}.
 */
public final class ScenarioBench {
    private ScenarioBench() {
    }

    public static void main(String[] args) {
        String envId = args[0];
        int steps = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        StringBuilder overrides = new StringBuilder();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            overrides.append(args[i], 0, eq).append(' ').append(args[i].substring(eq + 1)).append('\n');
        }
        Sessions sessions = new Sessions();
        int id = sessions.create(envId, overrides.toString());
        String describe = sessions.describe(id);
        int agents = countAgents(describe);
        int actionsCount = intField(describe, "\"actions\":[");
        int actionDim = continuousDim(describe);
        int maskOffset = intAfter(describe, "\"action_mask_offset\":");
        Rng rng = new Rng(seed);
        byte[][] frame = {Base64.getDecoder().decode(sessions.reset(id, seed))};
        run(sessions, id, steps / 5, seed, agents, actionsCount, actionDim, maskOffset, rng, frame);
        long t0 = System.nanoTime();
        long[] counters = run(sessions, id, steps, seed, agents, actionsCount, actionDim, maskOffset, rng, frame);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long resets = counters[0];
        double resetSeconds = counters[1] / 1e9;
        int resetSamples = 20;
        long r0 = System.nanoTime();
        for (int i = 0; i < resetSamples; i++) {
            sessions.reset(id, seed + i);
        }
        double meanReset = (System.nanoTime() - r0) / 1e9 / resetSamples;
        System.out.printf(java.util.Locale.ROOT,
                "{\"env_id\":\"%s\",\"agents\":%d,\"steps\":%d,\"seconds\":%.4f,\"steps_per_s\":%.1f,"
                        + "\"resets_during_run\":%d,\"reset_seconds_in_run\":%.4f,\"mean_reset_s\":%.6f,"
                        + "\"peak_rss_bytes\":%d}%n",
                envId, agents, steps, seconds, steps / (seconds - resetSeconds), resets, resetSeconds, meanReset,
                Measure.peakRssBytes());
    }

    /**
     * Steps {@code steps} times with random actions allowed by the mask, or with uniform values in [-1, 1]
     * when {@code actionDim} &gt; 0 (continuous actions); resets at episode end.
     */
    private static long[] run(Sessions sessions, int id, int steps, long seed, int agents, int actions,
            int actionDim, int maskOffset, Rng rng, byte[][] last) {
        byte[] frame = last[0];
        ByteBuffer actionBuffer = ByteBuffer.allocate(4 * agents * Math.max(1, actionDim))
                .order(ByteOrder.LITTLE_ENDIAN);
        long resets = 0;
        long resetNanos = 0;
        for (int s = 0; s < steps; s++) {
            int flags = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
            if ((flags & 3) != 0) {
                long r0 = System.nanoTime();
                frame = Base64.getDecoder().decode(sessions.reset(id, seed + (++resets)));
                resetNanos += System.nanoTime() - r0;
            }
            actionBuffer.clear();
            for (int a = 0; a < agents && actionDim > 0; a++) {
                for (int k = 0; k < actionDim; k++) {
                    actionBuffer.putFloat((float) rng.uniform(-1, 1));
                }
            }
            for (int a = 0; a < agents && actionDim == 0; a++) {
                int choice;
                do {
                    choice = rng.nextInt(actions);
                } while (frame[maskOffset + a * actions + choice] == 0);
                actionBuffer.putInt(choice);
            }
            frame = Base64.getDecoder().decode(sessions.step(id, actionBuffer.array()));
        }
        last[0] = frame;
        return new long[] {resets, resetNanos};
    }

    private static int countAgents(String json) {
        int start = json.indexOf("\"agents\":[") + 10;
        int end = json.indexOf(']', start);
        return json.substring(start, end).isBlank() ? 0 : json.substring(start, end).split(",").length;
    }

    /** Values per agent of a continuous action (the entries of "continuous_actions"), 0 for discrete actions. */
    private static int continuousDim(String json) {
        String key = "\"continuous_actions\":[";
        int start = json.indexOf(key) + key.length();
        // Field objects may hold brackets in their strings; the next key ends the list.
        int end = json.indexOf("\"task_record\":", start);
        String fields = json.substring(start, end);
        int count = 0;
        for (int i = fields.indexOf("\"name\""); i >= 0; i = fields.indexOf("\"name\"", i + 1)) {
            count++;
        }
        return count;
    }

    private static int intField(String json, String key) {
        int start = json.indexOf(key) + key.length();
        int end = json.indexOf(']', start);
        return json.substring(start, end).split(",").length;
    }

    private static int intAfter(String json, String key) {
        int start = json.indexOf(key) + key.length();
        int end = start;
        while (Character.isDigit(json.charAt(end))) {
            end++;
        }
        return Integer.parseInt(json.substring(start, end));
    }
}

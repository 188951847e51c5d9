package edgesim.bench;

import edgesim.config.Config;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Simulation;

/**
 * Runs the hold model on the engine and prints one JSON line: nodes, events, seconds, events/s, bytes
 * allocated per event, peak RSS. Usage: {@code HoldBench NODES EVENTS [SEED]}.
 */
public final class HoldBench {
    private HoldBench() {
    }

    public static void main(String[] args) {
        int nodes = Integer.parseInt(args[0]);
        long events = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        Config config = Config.parse(String.join("\n",
                "network.size " + nodes,
                "protocol.hold HoldModel",
                "protocol.hold.max_delay_ticks 100",
                "protocol.hold.tick_s 1",
                "protocol.hold.remote_fraction 0.5",
                "init.start HoldStart",
                "init.start.protocol hold"), "hold-model");
        ComponentTypes types = new ComponentTypes().protocol("HoldModel", HoldModel.TYPE)
                .initializer("HoldStart", HoldModel.START);
        Simulation sim = new Simulation(config, types, seed);
        sim.checkAllKeysUsed();
        // Warm up the JIT, and let the queue's arrays reach their working sizes, on half as many events as
        // are then measured, in simulated-time chunks.
        long warmup = events / 2;
        double horizon = 0;
        while (sim.eventsProcessed() < warmup) {
            horizon += 10;
            sim.runUntil(horizon);
        }
        long startEvents = sim.eventsProcessed();
        long startAlloc = Measure.allocatedBytes();
        long t0 = System.nanoTime();
        while (sim.eventsProcessed() - startEvents < events) {
            horizon += 10;
            sim.runUntil(horizon);
        }
        long elapsed = System.nanoTime() - t0;
        long measured = sim.eventsProcessed() - startEvents;
        long alloc = Measure.allocatedBytes() - startAlloc;
        double seconds = elapsed / 1e9;
        System.out.printf(java.util.Locale.ROOT,
                "{\"nodes\":%d,\"events\":%d,\"seconds\":%.4f,\"events_per_s\":%.1f,"
                        + "\"alloc_bytes_per_event\":%.4f,\"pending\":%d,\"peak_rss_bytes\":%d}%n",
                nodes, measured, seconds, measured / seconds, alloc / (double) measured, sim.pendingEvents(),
                Measure.peakRssBytes());
    }
}

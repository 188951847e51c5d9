package edgesim.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import edgesim.config.Config;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Simulation;
import edgesim.io.FileCache;
import edgesim.model.DropReason;
import edgesim.model.RecordLog;
import edgesim.model.Task;
import edgesim.protocol.init.Initializers;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CpuTest {
    /** One node with a single 1 GHz core and room for three waiting tasks. */
    private static Simulation oneNode(boolean serveUndecided) {
        String text = String.join("\n",
                "network.size 1",
                "protocol.position Coordinates",
                "protocol.cpu Cpu",
                "protocol.cpu.cores 1",
                "protocol.cpu.hz_min 1e9",
                "protocol.cpu.hz_max 1e9",
                "protocol.cpu.queue_capacity 3",
                "protocol.cpu.kappa 1e-27",
                "protocol.cpu.serve_undecided " + serveUndecided,
                "protocol.cpu.radio radio",
                "protocol.cpu.tasks tasks",
                "protocol.radio Radio",
                "protocol.radio.bandwidth_hz 1e6",
                "protocol.radio.tx_power_w 0.1",
                "protocol.radio.carrier_hz 2.4e9",
                "protocol.radio.noise_temperature_k 290",
                "protocol.radio.coordinates position",
                "protocol.radio.cpu cpu",
                "protocol.radio.tasks tasks",
                "protocol.tasks Tasks",
                "protocol.tasks.cpu cpu");
        Simulation sim = new Simulation(Config.parse(text, "cpu-test"), Initializers.register(Protocols.register(new ComponentTypes()), new FileCache()), 1);
        sim.checkAllKeysUsed();
        return sim;
    }

    /** The origin's counters since the last drain, in counter order. */
    private static double[] drain(Tasks tasks) {
        int n = Tasks.Counter.values().length;
        double[] counters = new double[n];
        tasks.drainCounters(counters, 0, IntStream.range(0, n).toArray());
        return counters;
    }

    @Test
    void servesInArrivalOrderAndDropsWhenFull() {
        Simulation sim = oneNode(true);
        Cpu cpu = (Cpu) sim.node(0).protocol(sim.pid("cpu"));
        Tasks tasks = (Tasks) sim.node(0).protocol(sim.pid("tasks"));
        Task[] made = new Task[5];
        for (int i = 0; i < 5; i++) {
            made[i] = tasks.create(1e9 * (i + 1) / 10, 0, 0, 100);
            cpu.admit(made[i]);
        }
        assertEquals(1, cpu.busyCores());
        assertEquals(3, cpu.queuedTasks());
        assertEquals(Task.Stage.DROPPED, made[4].stage);
        assertEquals(DropReason.QUEUE_FULL, made[4].dropReason);
        sim.runUntil(10);
        RecordLog log = sim.shared(TaskLog.class, TaskLog::new).records();
        assertEquals(4, log.count());
        double[] executionOrder = new double[4];
        double[] finishTimes = new double[4];
        int fields = TaskLog.Record.values().length;
        for (int i = 0; i < 4; i++) {
            // compute_s -> task number
            executionOrder[i] = log.records()[i * fields + TaskLog.Record.COMPUTE_S.ordinal()] * 10;
            finishTimes[i] = log.records()[i * fields + TaskLog.Record.LATENCY_S.ordinal()];
        }
        // Service times 0.1, 0.2, 0.3, 0.4 s in arrival order; latency = finish time since all arrived at 0.
        assertArrayEquals(new double[] {1, 2, 3, 4}, executionOrder, 1e-9);
        assertArrayEquals(new double[] {0.1, 0.3, 0.6, 1.0}, finishTimes, 1e-9);
        double[] counters = drain(tasks);
        assertEquals(5, counters[Tasks.Counter.ARRIVED.ordinal()]);
        assertEquals(4, counters[Tasks.Counter.COMPLETED.ordinal()]);
        assertEquals(1, counters[Tasks.Counter.DROPPED_QUEUE_FULL.ordinal()]);
        // kappa hz^2 per cycle, 1e9 cycles in all
        assertEquals(1e-27 * 1e18 * 1e9, counters[Tasks.Counter.ENERGY_J.ordinal()], 1e-9);
        // No agent decided on any of them: the four that ran were served undecided.
        assertEquals(4, counters[Tasks.Counter.SERVED_UNDECIDED.ordinal()]);
    }

    @Test
    void aTaskPastItsDeadlineIsDroppedAndFreesItsCore() {
        Simulation sim = oneNode(true);
        Cpu cpu = (Cpu) sim.node(0).protocol(sim.pid("cpu"));
        Tasks tasks = (Tasks) sim.node(0).protocol(sim.pid("tasks"));
        Task slow = tasks.create(5e9, 0, 0, 1.0); // needs 5 s, has 1 s
        Task next = tasks.create(1e8, 0, 0, 10.0);
        cpu.admit(slow);
        cpu.admit(next);
        sim.runUntil(1.05);
        assertEquals(Task.Stage.DROPPED, slow.stage);
        assertEquals(DropReason.DEADLINE, slow.dropReason);
        assertEquals(Task.Stage.IN_SERVICE, next.stage);
        sim.runUntil(2);
        assertEquals(Task.Stage.DONE, next.stage);
        assertEquals(1.0, next.wait_s, 1e-12);
    }

    @Test
    void undecidedTasksWaitWhenTheAgentMustDecide() {
        Simulation sim = oneNode(false);
        Cpu cpu = (Cpu) sim.node(0).protocol(sim.pid("cpu"));
        Tasks tasks = (Tasks) sim.node(0).protocol(sim.pid("tasks"));
        Task t = tasks.create(1e8, 0, 0, 10);
        cpu.admit(t);
        sim.runUntil(1);
        assertEquals(Task.Stage.QUEUED, t.stage);
        assertEquals(0, cpu.firstUndecided());
        cpu.decideLocal(0);
        sim.runUntil(2);
        assertEquals(Task.Stage.DONE, t.stage);
        assertEquals(1.0, t.wait_s, 1e-12);
        double[] counters = drain(tasks);
        assertEquals(1, counters[Tasks.Counter.COMPLETED.ordinal()]);
        assertEquals(0, counters[Tasks.Counter.SERVED_UNDECIDED.ordinal()],
                "a decided task is not counted as served undecided");
    }
}

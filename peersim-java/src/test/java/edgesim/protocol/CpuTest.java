package edgesim.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import edgesim.config.Config;
import edgesim.engine.Simulation;
import edgesim.model.DropReason;
import edgesim.model.Task;
import edgesim.scenario.OffloadNeighbour;
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
        Simulation sim = new Simulation(Config.parse(text, "cpu-test"), OffloadNeighbour.componentTypes(new java.util.HashMap<>(), new java.util.HashMap<>()), 1);
        sim.checkAllKeysUsed();
        return sim;
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
        TaskLog log = sim.shared(TaskLog.class, TaskLog::new);
        assertEquals(4, log.count());
        double[] executionOrder = new double[4];
        double[] finishTimes = new double[4];
        for (int i = 0; i < 4; i++) {
            executionOrder[i] = log.records()[i * TaskLog.FIELDS.length + 5] * 10; // compute_s -> task number
            finishTimes[i] = log.records()[i * TaskLog.FIELDS.length + 2];
        }
        // Service times 0.1, 0.2, 0.3, 0.4 s in arrival order; latency = finish time since all arrived at 0.
        assertArrayEquals(new double[] {1, 2, 3, 4}, executionOrder, 1e-9);
        assertArrayEquals(new double[] {0.1, 0.3, 0.6, 1.0}, finishTimes, 1e-9);
        double[] counters = new double[Tasks.COUNTERS.length];
        tasks.drainCounters(counters, 0);
        assertEquals(5, counters[0]);
        assertEquals(4, counters[1]);
        assertEquals(1, counters[7]);
        assertEquals(1e-27 * 1e18 * 1e9, counters[9], 1e-9); // kappa hz^2 per cycle, 1e9 cycles in all
        // No agent decided on any of them: the four that ran were served undecided.
        assertEquals("served_undecided", Tasks.COUNTERS[11]);
        assertEquals(4, counters[11]);
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
        double[] counters = new double[Tasks.COUNTERS.length];
        tasks.drainCounters(counters, 0);
        assertEquals(1, counters[1]);
        assertEquals(0, counters[11], "a decided task is not counted as served undecided");
    }
}

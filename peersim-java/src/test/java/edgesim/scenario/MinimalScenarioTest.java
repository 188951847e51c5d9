package edgesim.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentPlugin;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Simulation;
import edgesim.protocol.mec.MecComponents;
import edgesim.protocol.mec.WorkQueue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The smallest scenario the skeleton allows (the recipe of peersim-java/DEVELOPING.md): everything but its model
 * and its view comes from {@link AbstractScenario}, so the checks below (guards, actions, validation once,
 * output) hold without a line of its own.
 */
class MinimalScenarioTest {
    /** queue-v0: each node's agent adds 0, 1 or 2 seconds of work to its queue every epoch. */
    static final class QueueScenario extends AbstractScenario {
        static final String ENV_ID = "queue-v0";
        /** @config time between decisions, seconds. */
        static final String PAR_EPOCH = "env.epoch_s";
        /** @config decisions per episode. */
        static final String PAR_STEPS = "env.episode_steps";
        /** @config the WorkQueue protocol of the nodes. */
        static final String PAR_QUEUE = "env.queue";

        private double epoch_s;
        private int maxSteps;
        private int queuePid;
        private final Layout.Column backlog;
        private final Layout.Column added;

        QueueScenario(Config config, List<ComponentPlugin> plugins) {
            super(config, MecComponents.registerExplabOff(new ComponentTypes()), plugins);
            Simulation sim = validate();
            Layout obs = new Layout();
            backlog = obs.add("backlog_s", 0, Double.POSITIVE_INFINITY);
            Layout metrics = new Layout();
            added = metrics.add("added_s", 0, 2);
            publish(Spec.builder(ENV_ID).agentNodes(sim, sim.size()).observation(obs)
                    .actions(List.of("none", "1 s", "2 s")).metrics(metrics).timing(epoch_s, maxSteps).build());
        }

        @Override
        protected void readKeys(ConfigReader reader, Simulation sim) {
            epoch_s = reader.getPositive(PAR_EPOCH);
            maxSteps = reader.getInt(PAR_STEPS, 1, 1_000_000);
            queuePid = sim.pidFromKey(reader, PAR_QUEUE, WorkQueue.class);
        }

        @Override
        protected void begin() {
        }

        @Override
        protected void apply(int[] actions) {
            for (int a = 0; a < actions.length; a++) {
                queue(a).add(actions[a]);
                output().metrics[added.at(a * spec().metrics().size())] = actions[a];
            }
        }

        @Override
        protected void advance() {
            sim().runUntil(step() * epoch_s);
            if (step() >= maxSteps) {
                truncate();
            }
        }

        @Override
        protected void observe(StepOutput out) {
            for (int a = 0; a < spec().agents().size(); a++) {
                out.observation[backlog.at(a * spec().observation().size())] = (float) queue(a).backlog_s();
            }
        }

        private WorkQueue queue(int node) {
            return (WorkQueue) sim().node(node).protocol(queuePid);
        }
    }

    private static final String TEMPLATE = String.join("\n",
            "nodes 2", "epoch_s 1", "episode_steps 3",
            "network.size nodes", "protocol.queue WorkQueue",
            "env.epoch_s epoch_s", "env.episode_steps episode_steps", "env.queue queue");

    private static Scenario scenario(Map<String, String> overrides) {
        return new QueueScenario(Config.parse(TEMPLATE, QueueScenario.ENV_ID).withOverrides(overrides), List.of());
    }

    @Test
    void theSkeletonRunsAMinimalScenario() {
        Scenario s = scenario(Map.of());
        assertEquals(List.of("node_0", "node_1"), s.spec().agents());
        assertEquals("s", s.spec().observation().get(0).unit());
        assertTrue(s.spec().stateIsObservations());
        assertThrows(ResetNeeded.class, () -> s.step(new int[] {0, 0}));
        s.reset(1);
        s.step(new int[] {2, 1});
        assertArrayEquals(new float[] {1, 0}, s.output().observation); // 2 s and 1 s of work, one second later
        assertArrayEquals(new double[] {2, 1}, s.output().metrics);
        assertEquals(s.output().observation, s.output().state); // the state is the observations, not a copy
        ActionException bad = assertThrows(ActionException.class, () -> s.step(new int[] {3, 0}));
        assertEquals("action 3 for agent node_0 is outside [0, 3)", bad.getMessage());
        s.step(new int[] {0, 0});
        s.step(new int[] {0, 0});
        assertTrue(s.output().truncated);
        assertThrows(ResetNeeded.class, () -> s.step(new int[] {0, 0}));
        ConfigException unread = assertThrows(ConfigException.class, () -> new QueueScenario(
                Config.parse(TEMPLATE + "\nenv.extra 1", QueueScenario.ENV_ID), List.of()));
        assertTrue(unread.getMessage().contains("keys not read by any component of queue-v0: env.extra"),
                unread.getMessage());
    }
}

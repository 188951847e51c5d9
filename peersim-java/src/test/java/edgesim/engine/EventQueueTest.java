package edgesim.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    /** The reference: a plain priority queue of (time, sequence). */
    private record Ref(double time, long seq, long arg) implements Comparable<Ref> {
        @Override
        public int compareTo(Ref o) {
            int c = Double.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Delivers events while scheduling new ones, as a simulation does (zero delays, ties, far-future events,
     * bursts that make the calendar rebuild), and checks every delivery against the reference order.
     */
    private static int compareWithReference(long seed, int initial, int deliveries, double maxDelay) {
        Rng rng = new Rng(seed);
        EventQueue q = new EventQueue();
        PriorityQueue<Ref> ref = new PriorityQueue<>();
        long seq = 0;
        for (int i = 0; i < initial; i++) {
            double t = Math.floor(rng.nextDouble() * maxDelay);
            q.push(t, 0, 0, 0, seq, null);
            ref.add(new Ref(t, seq, seq));
            seq++;
        }
        int compared = 0;
        while (compared < deliveries && q.size() > 0) {
            double now = q.topTime();
            int slot = q.topSlot();
            Ref expected = ref.poll();
            assertEquals(expected.time(), now, "delivery " + compared);
            assertEquals(expected.arg(), q.arg(slot), "delivery " + compared);
            compared++;
            // 0, 1 or 2 new events, so the queue shrinks and grows; never empties.
            int children = q.size() < 10 ? 2 : rng.nextInt(3);
            if (children == 0) {
                q.pop();
            }
            for (int c = 0; c < children; c++) {
                double delay = switch (rng.nextInt(4)) {
                    case 0 -> 0.0;
                    case 1 -> Math.floor(rng.nextDouble() * 3);
                    case 2 -> rng.nextDouble() * maxDelay;
                    default -> maxDelay * (10 + rng.nextInt(100));
                };
                if (c == 0) {
                    q.replaceTop(now + delay, 0, 0, 0, seq, null);
                } else {
                    q.push(now + delay, 0, 0, 0, seq, null);
                }
                ref.add(new Ref(now + delay, seq, seq));
                seq++;
            }
            assertEquals(ref.size(), q.size());
        }
        return compared;
    }

    @Test
    void deliversInExactTimeThenInsertionOrder() {
        assertEquals(200_000, compareWithReference(1, 5_000, 200_000, 100));
        assertEquals(100_000, compareWithReference(2, 50, 100_000, 1e-6));
        assertEquals(100_000, compareWithReference(3, 20_000, 100_000, 1e9));
    }

    @Test
    void drainsCompletelyWithEqualTimes() {
        EventQueue q = new EventQueue();
        for (int i = 0; i < 1000; i++) {
            q.push(5.0, i, 0, 0, i, null);
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(5.0, q.topTime());
            assertEquals(i, q.arg(q.topSlot()), "ties leave in insertion order");
            q.pop();
        }
        assertEquals(0, q.size());
    }
}

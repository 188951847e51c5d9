package edgesim.model;

/** A bounded first-in first-out queue of tasks on a ring buffer; removal from the middle keeps order. */
public final class TaskFifo {
    private final Task[] items;
    private final int capacity;
    private int head;
    private int size;

    public TaskFifo(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        items = new Task[Math.max(capacity, 1)];
        this.capacity = capacity;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Appends at the tail; returns false (and changes nothing) when full. */
    public boolean offer(Task task) {
        if (size >= capacity) {
            return false;
        }
        items[(head + size) % items.length] = task;
        size++;
        return true;
    }

    /** The i-th task from the head (0 = oldest). */
    public Task get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size);
        }
        return items[(head + i) % items.length];
    }

    /** Removes and returns the head, or null when empty. */
    public Task poll() {
        if (size == 0) {
            return null;
        }
        Task t = items[head];
        items[head] = null;
        head = (head + 1) % items.length;
        size--;
        return t;
    }

    /** Removes the i-th task, shifting later ones forward. */
    public Task removeAt(int i) {
        Task removed = get(i);
        for (int j = i; j < size - 1; j++) {
            items[(head + j) % items.length] = items[(head + j + 1) % items.length];
        }
        items[(head + size - 1) % items.length] = null;
        size--;
        return removed;
    }

    /** Removes {@code task} if present; returns whether it was. */
    public boolean remove(Task task) {
        for (int i = 0; i < size; i++) {
            if (items[(head + i) % items.length] == task) {
                removeAt(i);
                return true;
            }
        }
        return false;
    }
}

package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FramesTest {
    private static final Path GOLDEN = Path.of("tests", "contract", "golden");

    @Test
    void encodersReproduceTheGoldenFrames() throws IOException {
        byte[] batch = Files.readAllBytes(GOLDEN.resolve(GoldenFrame.BATCH_FILE));
        assertEquals(336, batch.length);
        assertArrayEquals(batch, new Frames(GoldenFrame.spec()).encode(GoldenFrame.outputs()));
        byte[] input = Files.readAllBytes(GOLDEN.resolve(GoldenFrame.INPUT_FILE));
        assertEquals(56, input.length);
        assertArrayEquals(input, GoldenFrame.input());
        String describe = Files.readString(GOLDEN.resolve(GoldenFrame.SPEC_FILE)).strip();
        assertEquals(describe, Frames.describe(GoldenFrame.spec(), 0, 2, 1, ""));
    }

    @Test
    void inputFramesAreCheckedForHeaderAndLength() {
        Frames frames = new Frames(GoldenFrame.spec());
        byte[] good = GoldenFrame.input();
        assertEquals(good.length, frames.checkInput(good, 2).capacity());
        FrameException shortFrame = assertThrows(FrameException.class, () -> frames.checkInput(new byte[7], 2));
        assertEquals("input frame has 7 bytes, less than its 16-byte header", shortFrame.getMessage());
        FrameException wrongGroup = assertThrows(FrameException.class, () -> frames.checkInput(good, 3));
        assertEquals("input frame is for 2 sessions; this group has 3", wrongGroup.getMessage());
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 4);
        FrameException length = assertThrows(FrameException.class, () -> frames.checkInput(longer, 2));
        assertEquals("input frame has 60 bytes; expected 56 for 2 sessions of 2 agents x 1 little-endian int32",
                length.getMessage());
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertThrows(FrameException.class, () -> frames.checkInput(magic, 2));
        assertThrows(FrameException.class, () -> frames.checkInput(null, 2));
    }
}

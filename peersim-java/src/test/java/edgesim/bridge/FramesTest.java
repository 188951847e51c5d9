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
    void encoderReproducesTheGoldenFrame() throws IOException {
        byte[] expected = Files.readAllBytes(GOLDEN.resolve(GoldenFrame.FRAME_FILE));
        byte[] actual = new Frames(GoldenFrame.spec()).encode(GoldenFrame.output());
        assertEquals(184, expected.length);
        assertArrayEquals(expected, actual);
        String describe = Files.readString(GOLDEN.resolve(GoldenFrame.SPEC_FILE)).strip();
        assertEquals(describe, Frames.describe(GoldenFrame.spec(), 0, ""));
    }

    @Test
    void actionFramesAreCheckedForLength() {
        Frames frames = new Frames(GoldenFrame.spec());
        assertArrayEquals(new int[] {2, -1}, frames.decodeActions(new byte[] {2, 0, 0, 0, -1, -1, -1, -1}));
        FrameException e = assertThrows(FrameException.class, () -> frames.decodeActions(new byte[7]));
        assertEquals("action frame has 7 bytes; expected 8 (one little-endian int32 for each of 2 agents)",
                e.getMessage());
        assertThrows(FrameException.class, () -> frames.decodeActions(null));
    }
}

package edgesim.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = JsonReader.parse(" {\"a\": [1, -2.5e3, 0.125], \"b\": {\"c\": \"x\\n\\u00e9\\\"\"}, "
                + "\"t\": true, \"f\": false, \"n\": null, \"e\": [], \"o\": {}} ", "t.json");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1.0, -2500.0, 0.125), m.get("a"));
        assertEquals("x\n\u00e9\"", ((Map<?, ?>) m.get("b")).get("c"));
        assertEquals(true, m.get("t"));
        assertEquals(false, m.get("f"));
        assertEquals(null, m.get("n"));
        assertEquals(List.of(), m.get("e"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of("a", "b", "t", "f", "n", "e", "o"), List.copyOf(m.keySet()));
    }

    @Test
    void errorsGiveLineAndColumn() {
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> JsonReader.parse("{\n  \"a\": 1,\n  \"a\": 2}", "topo.json"));
        assertEquals("topo.json line 3 column 3: duplicate key \"a\"", dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("[1, 2,]", "x"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 01}", "x"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("\"open", "x"));
        IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class,
                () -> JsonReader.parse("{} x", "x"));
        assertEquals("x line 1 column 4: unexpected content after the JSON value", trailing.getMessage());
    }
}

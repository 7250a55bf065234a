package org.overlaygate.katar.server.json;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * Reads a JSON document (RFC 8259, strictly) for {@code katar:import} into plain values: objects
 * become {@link LinkedHashMap}s, arrays {@link List}s, numbers {@link BigDecimal}s, and the literals
 * Boolean or null. Gson's streaming reader does the lexing; this only builds the tree, refusing a
 * member given twice (Gson's own tree would keep the last one silently, and a typo'd duplicate in an
 * import must not pass). Errors are one line and say where.
 */
public final class Json {
    private static final int MAX_DEPTH = 64;

    private Json() {
    }

    /**
     * @throws IllegalArgumentException "bad JSON: ... at line L column C path P"
     */
    public static Object parse(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            Object value = value(reader, 0);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("bad JSON: more after the document " + reader.getPath());
            }
            return value;
        } catch (IOException | IllegalStateException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            int see = msg.indexOf("\nSee "); // Gson appends a link to its troubleshooting guide
            String reason = (see > 0 ? msg.substring(0, see) : msg).replace('\n', ' ')
                    .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
            throw new IllegalArgumentException("bad JSON: " + reason);
        }
    }

    private static Object value(JsonReader r, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("bad JSON: nested deeper than " + MAX_DEPTH + " at " + r.getPath());
        }
        switch (r.peek()) {
            case BEGIN_OBJECT:
                Map<String, Object> object = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String name = r.nextName();
                    if (object.containsKey(name)) {
                        throw new IllegalArgumentException("bad JSON: member \"" + name + "\" given twice at " + r.getPath());
                    }
                    object.put(name, value(r, depth + 1));
                }
                r.endObject();
                return object;
            case BEGIN_ARRAY:
                List<Object> array = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    array.add(value(r, depth + 1));
                }
                r.endArray();
                return array;
            case STRING:
                return r.nextString();
            case NUMBER:
                return new BigDecimal(r.nextString());
            case BOOLEAN:
                return r.nextBoolean();
            case NULL:
                r.nextNull();
                return null;
            default:
                throw new IllegalArgumentException("bad JSON: unexpected " + r.peek() + " at " + r.getPath());
        }
    }
}

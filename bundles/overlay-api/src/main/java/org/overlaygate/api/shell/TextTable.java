package org.overlaygate.api.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Column output in the style of dladm: upper-case headers, columns padded to their widest cell,
 * two spaces between columns, the last column not padded. Also the parseable form of
 * {@code dladm -p -o}: the chosen fields joined by ':' with ':' and '\' escaped by '\'.
 */
public final class TextTable {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    /** Adds a row; {@code null} cells print as {@code --}. */
    public TextTable row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object cell : cells) {
            row.add(cell == null ? "--" : cell.toString());
        }
        rows.add(row);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table with headers, each line ending in a newline. */
    public String render() {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = headers.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, headers, widths);
        for (List<String> row : rows) {
            appendLine(out, row, widths);
        }
        return out.toString();
    }

    /**
     * The rows without headers, only the named fields (case-insensitive), joined by ':'.
     *
     * @throws IllegalArgumentException naming an unknown field and the known ones
     */
    public String renderParseable(List<String> fields) {
        int[] columns = new int[fields.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = -1;
            for (int c = 0; c < headers.size(); c++) {
                if (headers.get(c).equalsIgnoreCase(fields.get(i).trim())) {
                    columns[i] = c;
                }
            }
            if (columns[i] < 0) {
                throw new IllegalArgumentException("unknown field '" + fields.get(i).trim() + "' (fields: "
                        + String.join(",", headers).toLowerCase(java.util.Locale.ROOT) + ")");
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < columns.length; i++) {
                if (i > 0) {
                    out.append(':');
                }
                String cell = row.get(columns[i]);
                out.append(cell.replace("\\", "\\\\").replace(":", "\\:"));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void appendLine(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            line.append(cells.get(c));
            if (c < cells.size() - 1) {
                line.append(" ".repeat(widths[c] - cells.get(c).length() + 2));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}

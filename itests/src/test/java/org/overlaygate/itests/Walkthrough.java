package org.overlaygate.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A walkthrough of the documentation, as its reader pastes it: the shell blocks of one markdown
 * file that follow the marker {@value #STEP} run in order as one script, and the block after
 * {@value #CLEAN_UP} (the file's last marked block) undoes it. A new walkthrough is a new file in
 * docs/walkthroughs/ with these markers; {@link WalkthroughIT} finds and runs it.
 */
final class Walkthrough {
    static final String STEP = "<!-- walkthrough -->";
    static final String CLEAN_UP = "<!-- walkthrough: clean-up -->";

    final Path file;
    final List<String> steps;
    final String cleanUp;

    private Walkthrough(Path file, List<String> steps, String cleanUp) {
        this.file = file;
        this.steps = steps;
        this.cleanUp = cleanUp;
    }

    /** The script of the steps, one after another, as pasted. */
    String script() {
        return String.join("", steps);
    }

    /** The walkthrough of a markdown file, or null when it has no marked block. */
    static Walkthrough parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> steps = new ArrayList<>();
        String cleanUp = null;
        for (int i = 0; i < lines.size(); i++) {
            String marker = lines.get(i).trim();
            if (!marker.equals(STEP) && !marker.equals(CLEAN_UP)) {
                continue;
            }
            int open = i + 1;
            while (open < lines.size() && lines.get(open).isBlank()) {
                open++;
            }
            if (open >= lines.size() || !lines.get(open).trim().equals("```sh")) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + marker + " is not followed by a ```sh block");
            }
            StringBuilder block = new StringBuilder();
            int close = open + 1;
            while (close < lines.size() && !lines.get(close).trim().equals("```")) {
                block.append(lines.get(close)).append('\n');
                close++;
            }
            if (close >= lines.size()) {
                throw new IllegalArgumentException(file + ":" + (open + 1) + ": the block never ends");
            }
            if (cleanUp != null) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": a marked block after the clean-up");
            }
            if (marker.equals(STEP)) {
                steps.add(block.toString());
            } else {
                cleanUp = block.toString();
            }
            i = close;
        }
        if (steps.isEmpty() && cleanUp == null) {
            return null;
        }
        if (steps.isEmpty() || cleanUp == null) {
            throw new IllegalArgumentException(file + ": a walkthrough needs steps (" + STEP + ") and a clean-up (" + CLEAN_UP + ")");
        }
        return new Walkthrough(file, List.copyOf(steps), cleanUp);
    }

    /** Every walkthrough of the repository: README.md's and docs/'s (docs/walkthroughs/ holds the most). */
    static List<Walkthrough> all(Path repo) throws IOException {
        List<Walkthrough> all = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(repo.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(repo.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (Path f : files) {
            Walkthrough w = parse(f);
            if (w != null) {
                all.add(w);
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return file.getFileName().toString();
    }
}

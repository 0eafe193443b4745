package dev.coba.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing in the repository points outside it (issue 14): the documents the code cites are in
 * {@code docs/}, and a clone has every file a comment, a README or a page links to. Scans the
 * repository's text files (build outputs and the folders {@code .gitignore} leaves out are
 * skipped) for a path into a folder beside the repository, for a {@code docs/} page that does
 * not exist, and, in Markdown, for a relative link to a missing file. Each failure names the
 * file and line. Reads a few hundred small files: well under a second.
 */
class RepositoryLinksTest {
  /** Folders that hold no sources: build outputs, ignored run outputs, tool folders. */
  private static final Set<String> SKIPPED =
      Set.of(
          ".git",
          "target",
          "build",
          "node_modules",
          "__pycache__",
          ".idea",
          "coba-data",
          "coba-train",
          "coba-quality",
          "venv");

  private static final Set<String> TEXT =
      Set.of(
          "java",
          "kt",
          "md",
          "py",
          "yaml",
          "yml",
          "xml",
          "sh",
          "toml",
          "js",
          "html",
          "css",
          "properties",
          "txt");

  /** Written in pieces, so that this file does not match itself. */
  private static final List<String> OUTSIDE =
      List.of(".." + "/shared", "/shared" + "/docs", "/shared" + "/seeds");

  /** {@code docs/<page>.md} as a path from the repository root (not the end of a longer path). */
  private static final Pattern DOCS_PAGE =
      Pattern.compile("(?<![A-Za-z0-9_./-])docs/([A-Za-z0-9_.-]+\\.md)");

  /** A Markdown link's target: {@code [text](target)}. */
  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  private static Path root;
  private static List<Path> files;

  @BeforeAll
  static void scan() throws IOException {
    root = repositoryRoot();
    Assumptions.assumeTrue(
        root != null,
        "not inside the repository (no openapi.yaml and core/ above "
            + Path.of("").toAbsolutePath()
            + ")");
    files = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
            return !dir.equals(root) && (SKIPPED.contains(name) || name.endsWith(".egg-info"))
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && isText(file)) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** The nearest folder above the working directory with openapi.yaml and core/; null if none. */
  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("openapi.yaml")) && Files.isDirectory(p.resolve("core"))) {
        return p;
      }
    }
    return null;
  }

  private static boolean isText(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TEXT.contains(ext)
        || name.equals("Dockerfile")
        || root.relativize(file).startsWith(".ci");
  }

  @Test
  void theScanSeesTheSourcesAndTheDocs() {
    assertTrue(files.contains(root.resolve("README.md")), "README.md not scanned");
    assertTrue(files.contains(root.resolve("docs/coba-spec.md")), "docs/coba-spec.md not scanned");
    assertTrue(
        files.stream().anyMatch(f -> f.toString().endsWith("Methods.java")),
        "no Java source scanned");
  }

  @Test
  void nothingPointsIntoAFolderBesideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    forEachLine(
        (file, number, line) -> {
          for (String outside : OUTSIDE) {
            if (line.contains(outside)) {
              found.add(
                  where(file, number)
                      + " points outside the repository ("
                      + outside
                      + "): "
                      + line.strip());
              break;
            }
          }
        });
    assertEquals(List.of(), found, "cite the repository's own docs/ instead");
  }

  @Test
  void everyDocsPageNamedExists() throws IOException {
    List<String> found = new ArrayList<>();
    forEachLine(
        (file, number, line) -> {
          Matcher m = DOCS_PAGE.matcher(line);
          while (m.find()) {
            if (!Files.isRegularFile(root.resolve("docs").resolve(m.group(1)))) {
              found.add(where(file, number) + " names " + m.group() + ", which does not exist");
            }
          }
        });
    assertEquals(List.of(), found);
  }

  @Test
  void everyRelativeMarkdownLinkReachesAFileOfTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    forEachLine(
        (file, number, line) -> {
          if (!file.getFileName().toString().endsWith(".md")) {
            return;
          }
          Matcher m = MARKDOWN_LINK.matcher(line);
          while (m.find()) {
            String target = m.group(1);
            if (target.startsWith("#") || target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
              continue; // an anchor on the same page, or a URL
            }
            String path = target.replaceFirst("[#?].*$", "");
            Path resolved = file.getParent().resolve(path).normalize();
            if (!resolved.startsWith(root)) {
              found.add(where(file, number) + " links outside the repository: " + target);
            } else if (!Files.exists(resolved)) {
              found.add(where(file, number) + " links to a missing file: " + target);
            }
          }
        });
    assertEquals(List.of(), found);
  }

  private interface LineVisitor {
    void visit(Path file, int number, String line);
  }

  private static void forEachLine(LineVisitor visitor) throws IOException {
    for (Path file : files) {
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      String[] lines = text.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        visitor.visit(file, i + 1, lines[i]);
      }
    }
  }

  private static String where(Path file, int number) {
    return root.relativize(file) + ":" + number;
  }
}

package io.switchboard.api.configurations;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** What changed between two versions, file by file, each changed file as a unified diff. */
record ConfigDiff(
    @JsonProperty("name") String name,
    @JsonProperty("from") int from,
    @JsonProperty("to") int to,
    @JsonProperty("files") List<FileDiff> files) {

  /** {@code change}: added, removed, changed or unchanged. */
  record FileDiff(
      @JsonProperty("file") String file,
      @JsonProperty("change") String change,
      @JsonProperty("diff") String diff) {}

  static ConfigDiff between(
      ConfigurationVersion older, ConfigurationVersion newer, ObjectMapper json) {
    JsonNode before = read(older.configMapJson(), json);
    JsonNode after = read(newer.configMapJson(), json);
    TreeSet<String> names = new TreeSet<>();
    before.fieldNames().forEachRemaining(names::add);
    after.fieldNames().forEachRemaining(names::add);
    List<FileDiff> files = new ArrayList<>();
    for (String file : names) {
      List<String> oldLines = lines(before.path(file));
      List<String> newLines = lines(after.path(file));
      String change =
          !before.has(file)
              ? "added"
              : !after.has(file) ? "removed" : oldLines.equals(newLines) ? "unchanged" : "changed";
      List<String> unified =
          UnifiedDiffUtils.generateUnifiedDiff(
              file + "@" + older.version(),
              file + "@" + newer.version(),
              oldLines,
              DiffUtils.diff(oldLines, newLines),
              3);
      files.add(new FileDiff(file, change, String.join("\n", unified)));
    }
    return new ConfigDiff(older.name(), older.version(), newer.version(), files);
  }

  private static List<String> lines(JsonNode file) {
    return file.isMissingNode() ? List.of() : List.of(file.path("body").asText().split("\n", -1));
  }

  private static JsonNode read(String text, ObjectMapper json) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored config map is JSON", e);
    }
  }
}
